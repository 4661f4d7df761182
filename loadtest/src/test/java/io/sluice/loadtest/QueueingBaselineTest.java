package io.sluice.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.runtime.DataType;
import io.sluice.runtime.EchoBackend;
import io.sluice.runtime.ModelSignature;
import io.sluice.runtime.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** B0q: requests fed in process through the runtime's scheduler, searched as profile searches. */
class QueueingBaselineTest {
  private static final ModelSignature TINY =
      new ModelSignature(
          List.of(new TensorSpec("input", DataType.FP32, new long[] {-1, 32})),
          List.of(new TensorSpec("output", DataType.FP32, new long[] {-1, 1})));
  private final InferPayload payload =
      InferPayload.of("tiny_mlp", "input", "FP32", new long[] {1, 32}, 3);

  @Test
  void aBurstThroughTheBatcherCompletesEveryRequestAndReportsTheBatchesFormed() throws Exception {
    InProcessTarget.Batching on = new InProcessTarget.Batching(true, 64, 4096, 0);
    try (Session session =
        InProcessTarget.session(new EchoBackend(TINY), on, payload, 1_000_000_000L, "echo")) {
      WindowResult r = session.closed("c16", 16, Window.ofSeconds(0.1, 0.3));

      assertThat(r.errors()).isEmpty();
      assertThat(r.succeeded()).isPositive();
      long items = r.batchExecutions().entrySet().stream()
          .mapToLong(e -> e.getKey() * e.getValue()).sum();
      // Requests completed in the window ran in executions counted in (about) the same window.
      assertThat(items).isPositive();
      assertThat(r.batchExecutions().keySet()).allMatch(b -> b >= 1 && b <= 16);
    }
  }

  @Test
  void batchingOffRunsEveryRequestAlone() throws Exception {
    InProcessTarget.Batching off = new InProcessTarget.Batching(false, 64, 4096, 0);
    try (Session session =
        InProcessTarget.session(new EchoBackend(TINY), off, payload, 1_000_000_000L, "echo")) {
      WindowResult r = session.closed("c8", 8, Window.ofSeconds(0.1, 0.3));

      assertThat(r.errors()).isEmpty();
      assertThat(r.batchExecutions().keySet()).containsOnly(1);
    }
  }

  @Test
  void aMismatchedInputIsRefusedBeforeAnythingRuns() {
    InferPayload wrong = InferPayload.of("tiny_mlp", "x", "FP32", new long[] {1, 32}, 3);
    InProcessTarget.Batching on = new InProcessTarget.Batching(true, 64, 4096, 0);

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> InProcessTarget.session(new EchoBackend(TINY), on, wrong, 0, "echo"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("input x FP32");
  }

  @Test
  void theCommandProfilesTheCommittedTinyModelWithOnnxRuntime(@TempDir Path dir) throws Exception {
    Path model = Path.of("../examples/model_repository/tiny_mlp/1/model.onnx");
    Path out = dir.resolve("b0q.json");

    int rc =
        Main.commandLine()
            .execute(
                "b0q", "--model-file", model.toString(), "--model", "tiny_mlp",
                "--input-shape", "1,32", "--slo-ms", "50", "--initial-warmup", "1.2",
                "--warmup", "0.1", "--window", "0.3", "--c1-duration", "0.2",
                "--report-window", "0.2", "--bisections", "1", "--max-doublings", "2",
                "--retries", "0", "--saturation-concurrency", "8", "--json-out", out.toString());

    assertThat(rc).isZero();
    JsonNode json = Json.MAPPER.readTree(Files.readString(out));
    assertThat(json.path("protocol").asText()).isEqualTo("in-process");
    assertThat(json.path("search").size()).isGreaterThanOrEqualTo(2);
    assertThat(json.path("c1").path("succeeded").asLong()).isPositive();
    assertThat(json.path("saturation").path("batch_executions").size()).isPositive();
    // Whatever rate the search settled on, it is one of the rates it measured as passing.
    double x = json.path("x_slo").asDouble();
    boolean found = false;
    for (JsonNode s : json.path("search")) {
      found |= s.path("meets").asBoolean() && s.path("rate").asDouble() == x;
    }
    assertThat(found || x == 0).isTrue();
  }
}
