package io.sluice.loadtest;

import io.sluice.runtime.Backend;
import io.sluice.runtime.BatcherConfig;
import io.sluice.runtime.DataType;
import io.sluice.runtime.InferenceRequest;
import io.sluice.runtime.Scheduler;
import io.sluice.runtime.Schedulers;
import io.sluice.runtime.Tensor;
import io.sluice.runtime.TensorSpec;
import io.sluice.runtime.Ticker;
import io.sluice.runtime.onnx.OnnxBackend;
import io.sluice.runtime.onnx.OnnxOptions;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds B0q's {@link Session}: the model opened as the gateway opens it (ONNX Runtime with {@link
 * OnnxOptions#ofDefaults()}: one intra-op and one inter-op thread, no spinning; what the report's
 * server flags select), one instance behind the runtime's scheduler configured as the report's
 * model configs are ({@code dynamic_batching { }} or none, {@code max_batch_size}, the server's
 * default queue cap and queue-time limit). Everything runtime-typed lives here, so the command
 * line, which picocli inspects when any command runs, never needs the runtime on the classpath.
 */
final class InProcessTarget {
  private InProcessTarget() {}

  /** The scheduler's configuration: the report's {@code config.pbtxt} as the gateway maps it. */
  record Batching(boolean dynamic, int maxBatchSize, int maxQueueSize, long maxQueueTimeMicros) {
    BatcherConfig config() {
      return BatcherConfig.builder()
          .maxBatchSize(maxBatchSize)
          .dynamicBatching(dynamic && maxBatchSize > 0)
          .globalMaxQueueSize(maxQueueSize)
          .maxQueueTimeMicros(maxQueueTimeMicros)
          .build();
    }
  }

  /** An ONNX model from {@code modelFile}. */
  static Session onnx(Path modelFile, Batching batching, InferPayload payload, long drainNanos) {
    return session(OnnxBackend.open(modelFile, OnnxOptions.ofDefaults()), batching, payload,
        drainNanos, "in-process ORT " + modelFile.getFileName());
  }

  /**
   * Any backend (tests pass an {@link io.sluice.runtime.EchoBackend}); the session owns it.
   * {@code payload}'s input name and datatype must match the backend's first input.
   */
  static Session session(
      Backend backend, Batching batching, InferPayload payload, long drainNanos, String what) {
    TensorSpec input = backend.signature().inputs().get(0);
    DataType type = DataType.fromV2Name(payload.datatype());
    if (!input.name().equals(payload.inputName()) || input.type() != type) {
      backend.close();
      throw new IllegalArgumentException(
          "input " + payload.inputName() + " " + payload.datatype() + " (expected: the model's "
              + input + ")");
    }
    // Read-only heap bytes, as the gRPC decoder wraps raw_input_contents.
    Tensor tensor =
        Tensor.of(input.name(), type, payload.shape(), ByteBuffer.wrap(payload.bytes()).asReadOnlyBuffer());
    SchedulerStats stats = new SchedulerStats();
    Scheduler scheduler =
        Schedulers.create("b0q", batching.config(), List.of(backend), Ticker.SYSTEM, stats);
    String description =
        what + ", batching " + (batching.dynamic() ? "on" : "off") + ", max batch "
            + batching.maxBatchSize();
    return new Session(
        new InProcessTransport(scheduler, InferenceRequest.of(List.of(tensor)), description),
        io.sluice.loadtest.Ticker.system(),
        CpuTime.self(),
        null,
        stats,
        drainNanos);
  }
}
