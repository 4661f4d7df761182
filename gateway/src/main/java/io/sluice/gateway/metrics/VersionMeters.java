package io.sluice.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

/**
 * The Prometheus series of one model version ({@code nv_inference_*} and Sluice's own). They
 * belong to the (model, version) pair, not to one loaded copy of it: a reload binds the new copy
 * to the same meters (the pending gauge follows the new queue), so series never vanish or reset
 * under a dashboard. They are removed only when the version stops being served.
 */
public final class VersionMeters {
  private final MeterRegistry registry;
  private final Tags tags;
  private final List<Meter> meters = new ArrayList<>();
  private final AtomicReference<IntSupplier> pending = new AtomicReference<>(() -> 0);

  final Counter success;
  final Counter items;
  final Counter executions;
  final Counter requestMicros;
  final Counter queueMicros;
  final Counter inputMicros;
  final Counter inferMicros;
  final Counter outputMicros;
  final DistributionSummary batchSizes;
  final Timer requestDuration;
  private final Map<String, Counter> failures = new ConcurrentHashMap<>();
  private final Map<String, Counter> drops = new ConcurrentHashMap<>();

  /** The request-duration histogram's bucket edges: 1 ms to 10 s, roughly 1-2.5-5 per decade. */
  static final Duration[] REQUEST_BUCKETS = {
    Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
    Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
    Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  public VersionMeters(MeterRegistry registry, String model, String version) {
    this.registry = registry;
    this.tags = Tags.of("model", model, "version", version);
    success = counter("nv_inference_request_success", "Successful inference requests");
    items = counter("nv_inference_count", "Inferences performed (batch items)");
    executions = counter("nv_inference_exec_count", "Model executions (batches)");
    requestMicros = counter("nv_inference_request_duration_us", "Cumulative request duration in µs");
    queueMicros = counter("nv_inference_queue_duration_us", "Cumulative queue duration in µs");
    inputMicros =
        counter("nv_inference_compute_input_duration_us", "Cumulative input assembly time in µs");
    inferMicros = counter("nv_inference_compute_infer_duration_us", "Cumulative model run time in µs");
    outputMicros =
        counter("nv_inference_compute_output_duration_us", "Cumulative output split time in µs");
    // A strong reference: Micrometer holds gauge targets weakly, and a collected target reads NaN.
    meters.add(
        Gauge.builder("nv_inference_pending_request_count", pending, p -> p.get().getAsInt())
            .description("Requests waiting in the scheduler queue")
            .tags(tags)
            .strongReference(true)
            .register(registry));
    batchSizes =
        DistributionSummary.builder("sluice_batch_size")
            .description("Batch items per model execution")
            .tags(tags)
            .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128)
            .register(registry);
    meters.add(batchSizes);
    // Fixed buckets (no percentile histogram): a bounded, known series count per version, and
    // edges at the latencies SLOs are written against, so histogram_quantile and burn-rate rules
    // can read a threshold's bucket directly.
    requestDuration =
        Timer.builder("sluice_request_duration")
            .description("Request duration, from acceptance to completion, successes and failures")
            .tags(tags)
            .serviceLevelObjectives(REQUEST_BUCKETS)
            .register(registry);
    meters.add(requestDuration);
    // Every failure reason exists from the start, so dashboards see zeros rather than gaps.
    for (String reason : new String[] {"REJECTED", "CANCELED", "BACKEND", "OTHER"}) {
      failure(reason);
    }
  }

  private Counter counter(String name, String help) {
    return counter(name, help, tags);
  }

  private Counter counter(String name, String help, Tags t) {
    Counter c = Counter.builder(name).description(help).tags(t).register(registry);
    synchronized (meters) {
      meters.add(c);
    }
    return c;
  }

  /** Points the pending-request gauge at the queue of the copy now serving. */
  public void bindPending(IntSupplier queueLength) {
    pending.set(queueLength);
  }

  Counter failure(String reason) {
    return failures.computeIfAbsent(
        reason,
        r -> counter("nv_inference_request_failure", "Failed inference requests", tags.and("reason", r)));
  }

  Counter drop(String reason) {
    return drops.computeIfAbsent(
        reason,
        r ->
            counter(
                "sluice_requests_dropped",
                "Requests dropped before reaching a backend",
                tags.and("reason", r)));
  }

  /** Removes every series of this version: it is no longer served. */
  public void remove() {
    synchronized (meters) {
      for (Meter m : meters) {
        registry.remove(m);
      }
      meters.clear();
    }
  }
}
