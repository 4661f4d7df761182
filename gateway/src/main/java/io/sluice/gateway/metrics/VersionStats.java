package io.sluice.gateway.metrics;

import io.sluice.proto.inference.GrpcService.InferBatchStatistics;
import io.sluice.proto.inference.GrpcService.InferStatistics;
import io.sluice.proto.inference.GrpcService.ModelStatistics;
import io.sluice.runtime.SchedulerListener;
import io.sluice.runtime.Status;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Everything counted for one loaded model version. Each update is a few {@link LongAdder}
 * increments: O(1), lock-free, safe from any thread. The same updates feed Triton's statistics
 * extension ({@link #toProto}) and the version's Prometheus {@link VersionMeters}, so the two never
 * disagree.
 *
 * <p>Triton's per-request durations ({@code success}, {@code queue}, {@code compute_*}) are
 * counted once per request; {@code batch_stats} once per execution of a given batch size;
 * {@code inference_count} counts batch items and {@code execution_count} executions.
 */
public final class VersionStats implements SchedulerListener {
  private final String model;
  private final String version;
  private final Clock clock;
  private final VersionMeters meters;

  private final Duration success = new Duration();
  private final Duration fail = new Duration();
  private final Duration queue = new Duration();
  private final Duration computeInput = new Duration();
  private final Duration computeInfer = new Duration();
  private final Duration computeOutput = new Duration();
  private final LongAdder inferenceCount = new LongAdder();
  private final LongAdder executionCount = new LongAdder();
  private final AtomicLong lastInferenceMillis = new AtomicLong();
  private final Map<Integer, BatchDurations> batchStats = new ConcurrentHashMap<>();

  public VersionStats(String model, String version, Clock clock, VersionMeters meters) {
    this.model = model;
    this.version = version;
    this.clock = clock;
    this.meters = meters;
  }

  /** A request that completed with outputs. */
  public void recordSuccess(
      long requestNanos, long queueNanos, long inputNanos, long inferNanos, long outputNanos) {
    success.add(requestNanos);
    queue.add(queueNanos);
    computeInput.add(inputNanos);
    computeInfer.add(inferNanos);
    computeOutput.add(outputNanos);
    lastInferenceMillis.set(clock.millis());
    meters.success.increment();
    meters.requestDuration.record(requestNanos, TimeUnit.NANOSECONDS);
    meters.requestMicros.increment(TimeUnit.NANOSECONDS.toMicros(requestNanos));
    meters.queueMicros.increment(TimeUnit.NANOSECONDS.toMicros(queueNanos));
    meters.inputMicros.increment(TimeUnit.NANOSECONDS.toMicros(inputNanos));
    meters.inferMicros.increment(TimeUnit.NANOSECONDS.toMicros(inferNanos));
    meters.outputMicros.increment(TimeUnit.NANOSECONDS.toMicros(outputNanos));
  }

  /** A request that failed after it was accepted for this version. */
  public void recordFailure(long requestNanos, Status.Code code) {
    fail.add(requestNanos);
    meters.requestDuration.record(requestNanos, TimeUnit.NANOSECONDS);
    meters.failure(failureReason(code)).increment();
  }

  static String failureReason(Status.Code code) {
    switch (code) {
      case UNAVAILABLE:
      case DEADLINE_EXCEEDED:
      case RESOURCE_EXHAUSTED:
        return "REJECTED";
      case CANCELLED:
        return "CANCELED";
      case INTERNAL:
        return "BACKEND";
      default:
        return "OTHER";
    }
  }

  @Override
  public void onExecution(
      int batchSize, int requests, long inputNanos, long inferNanos, long outputNanos) {
    inferenceCount.add(batchSize);
    executionCount.increment();
    meters.items.increment(batchSize);
    meters.executions.increment();
    meters.batchSizes.record(batchSize);
    batchStats
        .computeIfAbsent(batchSize, k -> new BatchDurations())
        .add(inputNanos, inferNanos, outputNanos);
  }

  @Override
  public void onDropped(String reason) {
    meters.drop(reason).increment();
  }

  /** Triton's statistics for this version. */
  public ModelStatistics toProto() {
    ModelStatistics.Builder b =
        ModelStatistics.newBuilder()
            .setName(model)
            .setVersion(version)
            .setLastInference(lastInferenceMillis.get())
            .setInferenceCount(inferenceCount.sum())
            .setExecutionCount(executionCount.sum())
            .setInferenceStats(
                InferStatistics.newBuilder()
                    .setSuccess(success.toProto())
                    .setFail(fail.toProto())
                    .setQueue(queue.toProto())
                    .setComputeInput(computeInput.toProto())
                    .setComputeInfer(computeInfer.toProto())
                    .setComputeOutput(computeOutput.toProto())
                    .setCacheHit(new Duration().toProto())
                    .setCacheMiss(new Duration().toProto()));
    batchStats.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> b.addBatchStats(e.getValue().toProto(e.getKey())));
    return b.build();
  }

  private static final class BatchDurations {
    final Duration input = new Duration();
    final Duration infer = new Duration();
    final Duration output = new Duration();

    void add(long in, long inf, long out) {
      input.add(in);
      infer.add(inf);
      output.add(out);
    }

    InferBatchStatistics toProto(int size) {
      return InferBatchStatistics.newBuilder()
          .setBatchSize(size)
          .setComputeInput(input.toProto())
          .setComputeInfer(infer.toProto())
          .setComputeOutput(output.toProto())
          .build();
    }
  }
}
