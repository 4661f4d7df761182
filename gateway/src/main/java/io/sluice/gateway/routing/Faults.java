package io.sluice.gateway.routing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.gateway.core.FaultInjector;
import io.sluice.gateway.model.LoadedVersion;
import io.sluice.runtime.InferenceRequest;
import io.sluice.runtime.InferenceResponse;
import io.sluice.runtime.Status;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * Faults injected into versions for drills and tests ({@code PUT
 * /v2/models/{m}/versions/{v}/faults}): with probability {@code error_rate} a request fails with
 * UNAVAILABLE before it reaches the engine; every other one is answered {@code delay_ms} late,
 * the delay waiting on the injected scheduler, never on a thread of the request path. Off unless
 * set; each injected error and delay is counted ({@code sluice_faults_injected_total{model,
 * version,kind}}). With nothing set the request goes straight to the scheduler.
 */
final class Faults implements FaultInjector {
  /** One version's faults and their counters. */
  record Fault(double errorRate, long delayMillis, Counter errors, Counter delays) {
    boolean isOff() {
      return errorRate == 0 && delayMillis == 0;
    }
  }

  private final Map<String, Map<Long, Fault>> faults = new ConcurrentHashMap<>();
  private final MeterRegistry meters;
  private final DoubleSupplier random;
  private final ScheduledExecutorService scheduler;

  /**
   * @param random uniform in [0, 1), thread-safe
   * @param scheduler where delayed answers wait
   */
  Faults(MeterRegistry meters, DoubleSupplier random, ScheduledExecutorService scheduler) {
    this.meters = meters;
    this.random = random;
    this.scheduler = scheduler;
  }

  @Override
  public CompletableFuture<InferenceResponse> run(LoadedVersion v, InferenceRequest work) {
    Fault f = faults.isEmpty() ? null : find(v.name(), v.version());
    if (f == null) {
      return v.scheduler().enqueue(work);
    }
    if (f.errorRate() > 0 && random.getAsDouble() < f.errorRate()) {
      f.errors().increment();
      return CompletableFuture.failedFuture(Status.unavailable("fault injected into model '"
          + v.name() + "' version " + v.version() + " (error_rate " + f.errorRate() + ")")
          .asException());
    }
    CompletableFuture<InferenceResponse> queued = v.scheduler().enqueue(work);
    if (f.delayMillis() == 0) {
      return queued;
    }
    f.delays().increment();
    return queued.thenApplyAsync(r -> r,
        CompletableFuture.delayedExecutor(f.delayMillis(), TimeUnit.MILLISECONDS, scheduler));
  }

  Fault find(String model, long version) {
    Map<Long, Fault> m = faults.get(model);
    return m == null ? null : m.get(version);
  }

  /** Sets (or, with both zero, clears) a version's faults. */
  void set(String model, long version, double errorRate, long delayMillis) {
    String v = Long.toString(version);
    Fault f = new Fault(errorRate, delayMillis,
        Counter.builder("sluice_faults_injected").description("injected faults, by kind")
            .tags("model", model, "version", v, "kind", "error").register(meters),
        Counter.builder("sluice_faults_injected").description("injected faults, by kind")
            .tags("model", model, "version", v, "kind", "delay").register(meters));
    if (f.isOff()) {
      faults.computeIfPresent(model, (k, m) -> {
        m.remove(version);
        return m.isEmpty() ? null : m;
      });
    } else {
      faults.computeIfAbsent(model, k -> new ConcurrentHashMap<>()).put(version, f);
    }
  }

  /** The model's faults in force, by version. */
  Map<Long, Fault> of(String model) {
    return faults.getOrDefault(model, Map.of());
  }
}
