package io.sluice.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.sluice.proto.inference.GrpcService.InferBatchStatistics;
import io.sluice.proto.inference.GrpcService.InferStatistics;
import io.sluice.proto.inference.GrpcService.ModelStatistics;
import io.sluice.runtime.SchedulerListener;
import io.sluice.runtime.Status;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * Everything counted for one loaded model version. Each update is a few {@link LongAdder}
 * increments: O(1), lock-free, safe from any thread. The same numbers back Triton's statistics
 * extension ({@link #toProto}) and the Prometheus meters, so the two never disagree.
 *
 * <p>Triton's per-request durations ({@code success}, {@code queue}, {@code compute_*}) are
 * counted once per request; {@code batch_stats} once per execution of a given batch size;
 * {@code inference_count} counts batch items and {@code execution_count} executions.
 */
public final class VersionStats implements SchedulerListener {
  private final String model;
  private final String version;
  private final Clock clock;
  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();

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

  private final Counter successCounter;
  private final Counter itemCounter;
  private final Counter execCounter;
  private final Counter requestMicros;
  private final Counter queueMicros;
  private final Counter inputMicros;
  private final Counter inferMicros;
  private final Counter outputMicros;
  private final DistributionSummary batchSizes;
  private final Map<String, Counter> failures = new ConcurrentHashMap<>();
  private final Map<String, Counter> drops = new ConcurrentHashMap<>();

  /**
   * @param pending the scheduler's queue length, read when Prometheus scrapes
   */
  public VersionStats(
      String model, String version, Clock clock, MeterRegistry registry, IntSupplier pending) {
    this.model = model;
    this.version = version;
    this.clock = clock;
    this.registry = registry;
    Tags tags = Tags.of("model", model, "version", version);
    successCounter = counter("nv_inference_request_success", "Successful inference requests", tags);
    itemCounter = counter("nv_inference_count", "Inferences performed (batch items)", tags);
    execCounter = counter("nv_inference_exec_count", "Model executions (batches)", tags);
    requestMicros =
        counter("nv_inference_request_duration_us", "Cumulative request duration in µs", tags);
    queueMicros = counter("nv_inference_queue_duration_us", "Cumulative queue duration in µs", tags);
    inputMicros =
        counter(
            "nv_inference_compute_input_duration_us", "Cumulative input assembly time in µs", tags);
    inferMicros =
        counter("nv_inference_compute_infer_duration_us", "Cumulative model run time in µs", tags);
    outputMicros =
        counter(
            "nv_inference_compute_output_duration_us", "Cumulative output split time in µs", tags);
    meters.add(
        Gauge.builder("nv_inference_pending_request_count", pending, IntSupplier::getAsInt)
            .description("Requests waiting in the scheduler queue")
            .tags(tags)
            .register(registry));
    batchSizes =
        DistributionSummary.builder("sluice_batch_size")
            .description("Batch items per model execution")
            .tags(tags)
            .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128)
            .register(registry);
    meters.add(batchSizes);
    // Register every failure reason up front so dashboards see zeros rather than gaps.
    for (String reason : new String[] {"REJECTED", "CANCELED", "BACKEND", "OTHER"}) {
      failureCounter(reason);
    }
  }

  private Counter counter(String name, String help, Tags tags) {
    Counter c = Counter.builder(name).description(help).tags(tags).register(registry);
    meters.add(c);
    return c;
  }

  private Counter failureCounter(String reason) {
    return failures.computeIfAbsent(
        reason,
        r ->
            counter(
                "nv_inference_request_failure",
                "Failed inference requests",
                Tags.of("model", model, "version", version, "reason", r)));
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
    successCounter.increment();
    requestMicros.increment(TimeUnit.NANOSECONDS.toMicros(requestNanos));
    queueMicros.increment(TimeUnit.NANOSECONDS.toMicros(queueNanos));
    inputMicros.increment(TimeUnit.NANOSECONDS.toMicros(inputNanos));
    inferMicros.increment(TimeUnit.NANOSECONDS.toMicros(inferNanos));
    outputMicros.increment(TimeUnit.NANOSECONDS.toMicros(outputNanos));
  }

  /** A request that failed after it was accepted for this version. */
  public void recordFailure(long requestNanos, Status.Code code) {
    fail.add(requestNanos);
    failureCounter(failureReason(code)).increment();
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
    itemCounter.increment(batchSize);
    execCounter.increment();
    batchSizes.record(batchSize);
    batchStats
        .computeIfAbsent(batchSize, k -> new BatchDurations())
        .add(inputNanos, inferNanos, outputNanos);
  }

  @Override
  public void onDropped(String reason) {
    drops
        .computeIfAbsent(
            reason,
            r ->
                counter(
                    "sluice_requests_dropped",
                    "Requests dropped before reaching a backend",
                    Tags.of("model", model, "version", version, "reason", r)))
        .increment();
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

  /** Removes this version's meters from the registry (the version was unloaded). */
  public void unregister() {
    for (Meter m : meters) {
      registry.remove(m);
    }
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
