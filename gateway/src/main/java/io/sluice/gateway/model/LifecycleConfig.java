package io.sluice.gateway.model;

import io.sluice.runtime.BackendOptions;

/**
 * How models are loaded and run, validated once at start-up.
 *
 * @param defaultMaxBatchSize autofill's max batch size for a model that can batch and whose
 *     config does not say (Triton's default is 4)
 * @param globalMaxQueueSize the cap on waiting requests per version when a queue policy says 0
 * @param maxQueueTimeMicros load shedding: the longest a request may wait for an instance, 0
 *     for no limit (see {@link io.sluice.runtime.BatcherConfig#maxQueueTimeMicros()})
 * @param backendDefaults engine-neutral defaults for every instance (threads, spinning; the
 *     device and the model's parameters are filled in per model, and an engine may let a
 *     parameter override a default)
 * @param overrideLimits how far a load request's {@code config} override may reconfigure a model
 */
public record LifecycleConfig(
    int defaultMaxBatchSize,
    int globalMaxQueueSize,
    long maxQueueTimeMicros,
    BackendOptions backendDefaults,
    OverrideLimits overrideLimits) {

  /** With no max queue time and the default {@link OverrideLimits}. */
  public LifecycleConfig(
      int defaultMaxBatchSize,
      int globalMaxQueueSize,
      BackendOptions backendDefaults) {
    this(defaultMaxBatchSize, globalMaxQueueSize, 0, backendDefaults, OverrideLimits.ofDefaults());
  }

  public LifecycleConfig {
    if (defaultMaxBatchSize < 0) {
      throw new IllegalArgumentException(
          "defaultMaxBatchSize: " + defaultMaxBatchSize + " (expected: >= 0)");
    }
    if (globalMaxQueueSize < 1) {
      throw new IllegalArgumentException(
          "globalMaxQueueSize: " + globalMaxQueueSize + " (expected: > 0)");
    }
    if (maxQueueTimeMicros < 0) {
      throw new IllegalArgumentException(
          "maxQueueTimeMicros: " + maxQueueTimeMicros + " (expected: >= 0)");
    }
    if (backendDefaults == null) {
      throw new IllegalArgumentException("backendDefaults: null (expected: backend options)");
    }
    if (overrideLimits == null) {
      throw new IllegalArgumentException("overrideLimits: null (expected: limits)");
    }
  }

  public static LifecycleConfig ofDefaults() {
    return new LifecycleConfig(4, 4096, BackendOptions.ofDefaults());
  }
}
