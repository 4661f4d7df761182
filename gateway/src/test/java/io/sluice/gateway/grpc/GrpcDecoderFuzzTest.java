package io.sluice.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.sluice.gateway.fuzz.Answers;
import io.sluice.gateway.fuzz.FuzzServer;
import io.sluice.gateway.fuzz.LeakRecorder;
import io.sluice.gateway.fuzz.LogCapture;
import io.sluice.gateway.fuzz.Mutator;
import io.sluice.gateway.fuzz.Seeds;
import io.sluice.proto.inference.GrpcService.InferParameter;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import io.sluice.proto.inference.GrpcService.ModelInferRequest.InferInputTensor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The gRPC decoder under a seeded mutator: valid {@code ModelInferRequest}s for every example
 * model (raw and typed contents), mutated as messages (shapes, datatypes, contents, parameters,
 * duplicate inputs, names) and as bytes, sent as raw bytes over a real connection to the real
 * gRPC front end. Every call must close with OK or a client-error code (INVALID_ARGUMENT,
 * NOT_FOUND, UNIMPLEMENTED; UNAVAILABLE and DEADLINE_EXCEEDED for overload), never UNKNOWN or
 * INTERNAL, with a description naming no class, URL or server path; nothing logged above debug
 * (grpc-java's SEVERE "Exception while executing runnable" included); after each batch the good
 * requests still succeed and no buffer leaked. Bytes sent to the other services' methods check
 * the parse guard on all of them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcDecoderFuzzTest {
  private static final int BATCH = 400;
  private static final long TIME_CAP_NANOS = 15_000_000_000L;
  private static final Set<Status.Code> ALLOWED = EnumSet.of(Status.Code.OK,
      Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND, Status.Code.UNIMPLEMENTED,
      Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED, Status.Code.RESOURCE_EXHAUSTED);
  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };
  /** Methods whose requests are small messages: random bytes for the parse guard. */
  private static final List<String> OTHER_METHODS = List.of(
      "inference.GRPCInferenceService/ModelMetadata",
      "inference.GRPCInferenceService/ModelConfig",
      "inference.GRPCInferenceService/ModelReady",
      "inference.GRPCInferenceService/ModelStatistics",
      "inference.GRPCInferenceService/RepositoryIndex",
      "inference.GRPCInferenceService/ServerMetadata",
      "grpc.health.v1.Health/Check");

  private FuzzServer fuzz;
  private ManagedChannel channel;
  private List<Seeds.Model> models;

  @BeforeAll
  void start() throws Exception {
    fuzz = new FuzzServer();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", fuzz.server.grpcPort())
        .usePlaintext()
        .maxInboundMessageSize(64 << 20)
        .build();
    models = Seeds.models(fuzz.api());
    LeakRecorder.collect();
  }

  @AfterAll
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    fuzz.close();
  }

  private static MethodDescriptor<byte[], byte[]> unary(String name) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(name)
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();
  }

  private static final MethodDescriptor<byte[], byte[]> MODEL_INFER =
      unary("inference.GRPCInferenceService/ModelInfer");

  @Test
  void mutatedModelInferRequestsAreAnsweredCleanly() {
    Mutator m = new Mutator(FuzzServer.SEED + 2);
    int iterations = FuzzServer.iterations(4000);
    Map<String, Integer> codes = new TreeMap<>();
    Map<String, Integer> reasons = new TreeMap<>();
    long start = System.nanoTime();
    int done = 0;
    try (LogCapture logs = new LogCapture()) {
      for (int i = 0; i < iterations && System.nanoTime() - start < TIME_CAP_NANOS; i++) {
        MethodDescriptor<byte[], byte[]> method = MODEL_INFER;
        byte[] bytes;
        String what;
        if (m.chance(0.08)) {
          method = unary(m.pick(OTHER_METHODS));
          String name = m.pick(Seeds.MODELS);
          bytes = m.mutateBytes(Mutator.concat(new byte[] {0x0a, (byte) name.length()},
              name.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
          what = method.getFullMethodName();
        } else {
          Seeds.Model model = m.pick(models);
          ModelInferRequest.Builder b = model.grpc(m.chance(0.3)).toBuilder();
          int edits = 1 + m.nextInt(3);
          for (int e = 0; e < edits; e++) {
            mutate(m, b);
          }
          bytes = b.build().toByteArray();
          if (m.chance(0.35)) {
            bytes = m.mutateBytes(bytes);
          }
          what = model.name();
        }
        String where = "gRPC seed " + (FuzzServer.SEED + 2) + " iteration " + i + " (" + what
            + "): " + Mutator.hex(bytes, 400);
        Status status = call(method, bytes);
        assertThat(status.getCode()).as("code (%s) for %s", status, where).isIn(ALLOWED);
        if (!status.isOk()) {
          String problem = Answers.problem(status.getDescription(), fuzz.root);
          assertThat(problem).as("description %s for %s", status.getDescription(), where)
              .isNull();
          reasons.merge(status.getCode() + " " + firstWords(status.getDescription()), 1,
              Integer::sum);
        }
        codes.merge(status.getCode().name(), 1, Integer::sum);
        done++;
        if ((i + 1) % BATCH == 0) {
          afterBatch(logs, "up to iteration " + i);
        }
      }
      afterBatch(logs, "at the end");
    }
    System.out.printf("gRPC fuzz: %d calls in %.1f s, codes %s%n", done,
        (System.nanoTime() - start) / 1e9, codes);
    reasons.forEach((r, n) -> System.out.printf("  %5d  %s%n", n, r));
    assertThat(done).isPositive();
  }

  private Status call(MethodDescriptor<byte[], byte[]> method, byte[] bytes) {
    try {
      ClientCalls.blockingUnaryCall(channel, method,
          CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), bytes);
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  private static void mutate(Mutator m, ModelInferRequest.Builder b) {
    int inputs = b.getInputsCount();
    int at = inputs == 0 ? 0 : m.nextInt(inputs);
    switch (m.nextInt(12)) {
      case 0 -> { // a dimension
        if (inputs > 0 && b.getInputs(at).getShapeCount() > 0) {
          InferInputTensor.Builder in = b.getInputsBuilder(at);
          in.setShape(m.nextInt(in.getShapeCount()), interestingLong(m));
        }
      }
      case 1 -> { // a dimension more or fewer
        if (inputs > 0) {
          InferInputTensor.Builder in = b.getInputsBuilder(at);
          List<Long> shape = new java.util.ArrayList<>(in.getShapeList());
          if (!shape.isEmpty() && m.chance(0.5)) {
            shape.remove(m.nextInt(shape.size()));
          } else {
            shape.add(m.chance(0.5) ? 1L : interestingLong(m));
          }
          in.clearShape().addAllShape(shape);
        }
      }
      case 2 -> {
        if (inputs > 0) {
          b.getInputsBuilder(at).setDatatype(m.pick(Mutator.STRINGS));
        }
      }
      case 3 -> { // raw contents shorter, longer, missing or extra
        int raw = b.getRawInputContentsCount();
        if (raw > 0) {
          int r = m.nextInt(raw);
          ByteString data = b.getRawInputContents(r);
          switch (m.nextInt(4)) {
            case 0 -> b.setRawInputContents(r, data.substring(0, m.nextInt(data.size() + 1)));
            case 1 -> b.setRawInputContents(r, data.concat(ByteString.copyFrom(
                m.mutateBytes(new byte[1 + m.nextInt(9)]))));
            case 2 -> {
              java.util.List<ByteString> all = new java.util.ArrayList<>(b.getRawInputContentsList());
              all.remove(r);
              b.clearRawInputContents().addAllRawInputContents(all);
            }
            default -> b.addRawInputContents(data);
          }
        } else {
          b.addRawInputContents(ByteString.copyFrom(new byte[m.nextInt(64)]));
        }
      }
      case 4 -> { // a duplicate input
        if (inputs > 0) {
          b.addInputs(b.getInputs(at));
          if (b.getRawInputContentsCount() > at) {
            b.addRawInputContents(b.getRawInputContents(at));
          }
        }
      }
      case 5 -> { // typed contents next to raw ones, or wrong counts and values
        if (inputs > 0) {
          InferInputTensor.Builder in = b.getInputsBuilder(at);
          switch (m.nextInt(5)) {
            case 0 -> in.getContentsBuilder().addFp32Contents(Float.NaN);
            case 1 -> in.getContentsBuilder().addIntContents(m.chance(0.5) ? 300 : -300);
            case 2 -> in.getContentsBuilder().addInt64Contents(Long.MIN_VALUE);
            case 3 -> in.getContentsBuilder().addBytesContents(ByteString.copyFrom(
                new byte[] {(byte) 0xff, (byte) 0xfe}));
            default -> in.getContentsBuilder().addUintContents(-1);
          }
        }
      }
      case 6 -> b.putParameters(m.pick(List.of("priority", "timeout", "sequence_id",
          "binary_data_output", "x")), parameter(m));
      case 7 -> {
        if (inputs > 0) {
          b.getInputsBuilder(at).putParameters(
              m.pick(List.of("shared_memory_region", "binary_data_size", "x")), parameter(m));
        }
      }
      case 8 -> b.setModelVersion(m.pick(List.of("abc", "-1", "0", "1", "2", "99",
          "99999999999999999999", " 1", "1.0", "")));
      case 9 -> b.setModelName(m.pick(List.of("", "nope", "../tiny_mlp", "tiny_mlp/1",
          "iris_classifier", "int_adder", "\u0000")));
      case 10 -> { // requested outputs: duplicate, unknown, classification
        if (b.getOutputsCount() > 0 && m.chance(0.5)) {
          b.addOutputs(b.getOutputs(m.nextInt(b.getOutputsCount())));
        } else if (b.getOutputsCount() > 0) {
          b.getOutputsBuilder(m.nextInt(b.getOutputsCount()))
              .putParameters("classification", parameter(m));
        } else {
          b.addOutputsBuilder().setName(m.pick(Mutator.STRINGS));
        }
      }
      default -> { // an input name
        if (inputs > 0) {
          b.getInputsBuilder(at).setName(m.pick(Mutator.STRINGS));
        }
      }
    }
  }

  private static InferParameter parameter(Mutator m) {
    return switch (m.nextInt(5)) {
      case 0 -> InferParameter.newBuilder().setInt64Param(interestingLong(m)).build();
      case 1 -> InferParameter.newBuilder().setUint64Param(interestingLong(m)).build();
      case 2 -> InferParameter.newBuilder().setStringParam(m.pick(Mutator.STRINGS)).build();
      case 3 -> InferParameter.newBuilder().setBoolParam(m.chance(0.5)).build();
      default -> InferParameter.newBuilder().setDoubleParam(m.chance(0.5) ? Double.NaN : 1e300)
          .build();
    };
  }

  private static long interestingLong(Mutator m) {
    return m.pick(List.of(0L, -1L, 1L, 2L, 3L, 64L, 1L << 31, 1L << 32, Long.MAX_VALUE,
        Long.MIN_VALUE, 1L << 62, -(1L << 40), 4294967296L));
  }

  private static String firstWords(String description) {
    String s = description.replaceAll("'[^']*'", "'…'").replaceAll("\"[^\"]*\"", "\"…\"")
        .replaceAll("\\d+", "N");
    return s.length() > 90 ? s.substring(0, 90) : s;
  }

  private void afterBatch(LogCapture logs, String when) {
    for (Seeds.Model model : models) {
      for (boolean typed : new boolean[] {false, true}) {
        Status s = call(MODEL_INFER, model.grpc(typed).toByteArray());
        assertThat(s.getCode()).as("the good %s request for %s %s: %s",
            typed ? "typed" : "raw", model.name(), when, s).isEqualTo(Status.Code.OK);
      }
    }
    if (LeakRecorder.installed()) {
      assertThat(LeakRecorder.collect()).as("ByteBuf leaks %s", when).isEmpty();
    }
    assertThat(logs.problems()).as("WARN/ERROR/SEVERE logged %s", when).isEmpty();
  }
}
