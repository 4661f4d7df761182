package io.sluice.gateway.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.util.JsonFormat;
import io.sluice.gateway.core.IndexEntry;
import io.sluice.gateway.core.ServingApi;
import io.sluice.gateway.core.V2InferRequest;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelInstanceGroup;
import io.sluice.proto.inference.ModelConfigProto.ModelWarmup;
import io.sluice.registry.ConfigPbtxt;
import io.sluice.registry.RepositoryException;
import io.sluice.runtime.Status;
import io.sluice.runtime.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code config.pbtxt} and load overrides under a seeded mutator. Every mutated text goes
 * through {@link ConfigPbtxt#parse}: a configuration or an INVALID_CONFIG error with a clean
 * message, nothing else (no other exception, no stack overflow). A share of them, and mutated
 * JSON overrides, go through a real load of a copy of {@code iris_classifier} (ONNX Runtime,
 * autofill, the validator, labels, warm-up): it loads, or fails with a client-error status whose
 * reason (in the answer and in the repository index) names no class, URL, server path and is no
 * "internal error". After each batch the good configuration loads again and serves.
 *
 * <p>Configurations that would only cost time (many instances, big warm-ups, many threads) are
 * parsed but not loaded: bounding those is the override limits' job, not the parser's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConfigFuzzTest {
  private static final String MODEL = "fuzzed";
  private static final int BATCH = 40;
  private static final long TIME_CAP_NANOS = 12_000_000_000L;
  private static final Set<Status.Code> LOAD_ERRORS = EnumSet.of(Status.Code.INVALID_ARGUMENT,
      Status.Code.NOT_FOUND, Status.Code.UNIMPLEMENTED, Status.Code.UNAVAILABLE);

  private FuzzServer fuzz;
  private ServingApi api;
  private Path folder;
  private String goodText;
  private List<String> seeds;
  private List<String> identifiers;

  @BeforeAll
  void start() throws Exception {
    fuzz = new FuzzServer();
    api = fuzz.synchronousApi();
    folder = fuzz.root.resolve(MODEL);
    FuzzServer.copy(fuzz.root.resolve("iris_classifier"), folder);
    goodText = Files.readString(folder.resolve("config.pbtxt"))
        .replace("\"iris_classifier\"", "\"" + MODEL + "\"");
    Files.writeString(folder.resolve("config.pbtxt"), goodText);
    api.load(MODEL, Map.of()).join();
    seeds = new ArrayList<>();
    seeds.add(goodText);
    for (String m : Seeds.MODELS) {
      // Completed configurations, as the server prints them: every section autofill writes.
      seeds.add(ConfigPbtxt.print(api.modelConfig(m, "").toBuilder().setName(MODEL).build()));
    }
    seeds.add(goodText + "\nmodel_warmup [{ name: \"w\" batch_size: 1 inputs { key: \"float_input\""
        + " value: { data_type: TYPE_FP32 dims: [ 4 ] zero_data: true } } }]\n"
        + "parameters { key: \"intra_op_thread_count\" value: { string_value: \"1\" } }\n"
        + "version_policy { specific { versions: [ 1 ] } }\n");
    identifiers = identifiers();
  }

  @AfterAll
  void stop() {
    fuzz.close();
  }

  @Test
  void mutatedConfigPbtxtParsesOrFailsCleanlyAndLoadsOrFailsCleanly() throws Exception {
    Mutator m = new Mutator(FuzzServer.SEED + 3);
    int iterations = FuzzServer.iterations(8000);
    Map<String, Integer> outcomes = new TreeMap<>();
    long start = System.nanoTime();
    int loads = 0;
    int done = 0;
    try (LogCapture logs = new LogCapture()) {
      for (int i = 0; i < iterations && System.nanoTime() - start < TIME_CAP_NANOS; i++) {
        String text = m.mutateText(m.pick(seeds), identifiers);
        String where = "config.pbtxt seed " + (FuzzServer.SEED + 3) + " iteration " + i + ":\n"
            + (text.length() > 1500 ? text.substring(0, 1500) + "…" : text);
        ModelConfig parsed = null;
        try {
          parsed = ConfigPbtxt.parse(text, MODEL + "/config.pbtxt");
          outcomes.merge("parsed", 1, Integer::sum);
        } catch (RepositoryException e) {
          assertThat(e.kind()).as("kind for %s", where)
              .isEqualTo(RepositoryException.Kind.INVALID_CONFIG);
          assertThat(Answers.problem(e.getMessage(), fuzz.root))
              .as("parse error %s for %s", e.getMessage(), where).isNull();
          outcomes.merge("parse error", 1, Integer::sum);
        } catch (RuntimeException | StackOverflowError e) {
          throw new AssertionError("ConfigPbtxt.parse threw " + e + " for " + where, e);
        }
        done++;
        boolean load = parsed != null ? cheap(parsed) && m.chance(0.2) : m.chance(0.01);
        if (load) {
          Files.writeString(folder.resolve("config.pbtxt"), text, StandardCharsets.UTF_8);
          outcomes.merge("load " + load(Map.of(), where), 1, Integer::sum);
          if (++loads % BATCH == 0) {
            afterBatch(logs, "after " + loads + " loads");
          }
        }
      }
      afterBatch(logs, "at the end");
    }
    System.out.printf("config.pbtxt fuzz: %d texts, %d loads in %.1f s: %s%n", done, loads,
        (System.nanoTime() - start) / 1e9, outcomes);
    assertThat(done).isPositive();
  }

  @Test
  void mutatedOverridesLoadOrFailCleanly() throws Exception {
    Mutator m = new Mutator(FuzzServer.SEED + 4);
    List<byte[]> jsonSeeds = new ArrayList<>();
    for (String s : seeds) {
      jsonSeeds.add(JsonFormat.printer().print(ConfigPbtxt.parse(s, "seed"))
          .getBytes(StandardCharsets.UTF_8));
    }
    int iterations = FuzzServer.iterations(1200);
    Map<String, Integer> outcomes = new TreeMap<>();
    long start = System.nanoTime();
    int done = 0;
    try (LogCapture logs = new LogCapture()) {
      for (int i = 0; i < iterations && System.nanoTime() - start < TIME_CAP_NANOS; i++) {
        String json = new String(m.mutateJson(m.pick(jsonSeeds)), StandardCharsets.UTF_8);
        String where = "override seed " + (FuzzServer.SEED + 4) + " iteration " + i + ": "
            + (json.length() > 1500 ? json.substring(0, 1500) + "…" : json);
        ModelConfig.Builder parsed = ModelConfig.newBuilder();
        boolean parses;
        try {
          JsonFormat.parser().merge(json, parsed);
          parses = true;
        } catch (Exception e) {
          parses = false;
        }
        if (parses && !cheap(parsed.build())) {
          outcomes.merge("skipped (costly)", 1, Integer::sum);
          continue;
        }
        outcomes.merge((parses ? "parses, " : "no parse, ") + load(Map.of("config", json), where),
            1, Integer::sum);
        done++;
        if (done % BATCH == 0) {
          afterBatch(logs, "after " + done + " overrides");
        }
      }
      afterBatch(logs, "at the end");
    }
    System.out.printf("override fuzz: %d loads in %.1f s: %s%n", done,
        (System.nanoTime() - start) / 1e9, outcomes);
    assertThat(done).isPositive();
  }

  /** Loads {@link #MODEL}; returns the outcome's name after checking it. */
  private String load(Map<String, String> parameters, String where) {
    Status failure = null;
    try {
      api.load(MODEL, parameters).join();
    } catch (CompletionException e) {
      failure = Status.fromThrowable(e.getCause());
    } catch (RuntimeException e) {
      failure = Status.fromThrowable(e);
    }
    for (IndexEntry entry : api.repositoryIndex(false)) {
      assertThat(Answers.problem(entry.reason(), fuzz.root))
          .as("index reason %s after %s", entry.reason(), where).isNull();
    }
    if (failure == null) {
      return "OK";
    }
    assertThat(failure.code()).as("load failure %s for %s", failure, where).isIn(LOAD_ERRORS);
    assertThat(Answers.problem(failure.description(), fuzz.root))
        .as("load failure %s for %s", failure.description(), where).isNull();
    return failure.code().name();
  }

  /** What a load of {@code c} would cost beyond a second: left to the override limits. */
  private static boolean cheap(ModelConfig c) {
    long instances = 0;
    for (ModelInstanceGroup g : c.getInstanceGroupList()) {
      instances += Math.max(1, g.getCount());
      if (g.getCount() < 0) {
        return true;
      }
    }
    if (instances > 2 || c.getMaxBatchSize() > 4096) {
      return false;
    }
    for (ModelWarmup w : c.getModelWarmupList()) {
      if (w.getCount() > 2 || w.getBatchSize() > 64) {
        return false;
      }
      for (ModelWarmup.Input in : w.getInputsMap().values()) {
        long n = 1;
        for (long d : in.getDimsList()) {
          n = d <= 0 ? 0 : Math.min(n * Math.min(d, 1 << 20), 1L << 40);
        }
        if (n > 10_000) {
          return false;
        }
      }
    }
    return c.getParametersMap().entrySet().stream().noneMatch(e ->
        e.getKey().contains("thread") && !e.getValue().getStringValue().matches("[0-4]"));
  }

  private void afterBatch(LogCapture logs, String when) throws Exception {
    Files.writeString(folder.resolve("config.pbtxt"), goodText, StandardCharsets.UTF_8);
    api.load(MODEL, Map.of()).join();
    assertThat(api.isModelReady(MODEL, "")).as("the good config loads %s", when).isTrue();
    Tensor x = Tensor.ofFloats("float_input", new long[] {1, 4}, 5.1f, 3.5f, 1.4f, 0.2f);
    assertThat(api.infer(MODEL, "", V2InferRequest.of("good", List.of(x))).join().outputs())
        .as("the good request %s", when).isNotEmpty();
    // A load failure is an operator's event and logs one WARN line; a stack trace it must not.
    assertThat(logs.problems(line -> (line.contains("WARN io.sluice.gateway.model.ModelManager")
            || line.contains("WARN io.sluice.registry.LocalModelRepository"))
            && !line.contains("Exception")))
        .as("stack traces or unexpected warnings %s", when).isEmpty();
    if (LeakRecorder.installed()) {
      assertThat(LeakRecorder.collect()).as("ByteBuf leaks %s", when).isEmpty();
    }
  }

  /** Every field and enum value name of ModelConfig, for the text mutator. */
  private static List<String> identifiers() {
    Set<String> names = new HashSet<>();
    List<Descriptor> todo = new ArrayList<>(List.of(ModelConfig.getDescriptor()));
    Set<String> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      Descriptor d = todo.remove(todo.size() - 1);
      if (!seen.add(d.getFullName())) {
        continue;
      }
      for (FieldDescriptor f : d.getFields()) {
        names.add(f.getName());
        if (f.getType() == FieldDescriptor.Type.MESSAGE) {
          todo.add(f.getMessageType());
        }
        if (f.getType() == FieldDescriptor.Type.ENUM) {
          for (EnumValueDescriptor v : f.getEnumType().getValues()) {
            names.add(v.getName());
          }
        }
      }
    }
    List<String> out = new ArrayList<>(names);
    out.sort(null);
    return out;
  }
}
