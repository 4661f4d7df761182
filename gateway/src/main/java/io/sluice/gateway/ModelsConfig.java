package io.sluice.gateway;

import java.nio.file.Path;

/**
 * What is served and how a model's lifecycle is judged.
 *
 * @param modelRepository the Triton-style model repository folder; null when only MLflow models
 *     are served
 * @param strictReadiness ready only when every model that should be loaded is READY
 * @param defaultMaxBatchSize autofill's max batch size for models that can batch
 * @param maxQueueSize per-version cap on waiting requests where the queue policy says 0
 * @param drainTimeoutSeconds how long a replaced or unloaded version may take to finish the
 *     requests it admitted before its engine is closed anyway
 * @param maxQueueTimeMillis load shedding: the longest a request may wait for an instance; one
 *     that could not start within it is refused at once (503 / UNAVAILABLE); 0 for no limit
 * @param maxInflightRequests load shedding at the front door: while the server holds this many
 *     inference requests admitted and not yet answered, a new one is refused before its body is
 *     read (503 / UNAVAILABLE); 0 for no limit
 */
public record ModelsConfig(
    Path modelRepository,
    boolean strictReadiness,
    int defaultMaxBatchSize,
    int maxQueueSize,
    int drainTimeoutSeconds,
    int maxQueueTimeMillis,
    int maxInflightRequests) {

  public ModelsConfig {
    if (defaultMaxBatchSize < 0) {
      throw new IllegalArgumentException(
          "defaultMaxBatchSize: " + defaultMaxBatchSize + " (expected: >= 0)");
    }
    GatewayConfig.checkPositive("maxQueueSize", maxQueueSize);
    GatewayConfig.checkPositive("drainTimeoutSeconds", drainTimeoutSeconds);
    if (maxQueueTimeMillis < 0) {
      throw new IllegalArgumentException(
          "maxQueueTimeMillis: " + maxQueueTimeMillis + " (expected: >= 0)");
    }
    if (maxInflightRequests < 0) {
      throw new IllegalArgumentException(
          "maxInflightRequests: " + maxInflightRequests + " (expected: >= 0)");
    }
  }
}
