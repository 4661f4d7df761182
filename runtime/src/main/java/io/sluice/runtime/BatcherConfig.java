package io.sluice.runtime;

import java.util.List;
import java.util.Map;

/**
 * How a version's requests become executions: Triton's {@code max_batch_size} and {@code
 * dynamic_batching} in the runtime's own terms.
 *
 * @param maxBatchSize 0 when the model has no batch dimension; else the largest batch an
 *     execution may carry
 * @param dynamicBatching false: every request executes alone (Triton's default scheduler)
 * @param preferredBatchSizes batch sizes to send as soon as they can be formed; empty means
 *     {@code [maxBatchSize]}
 * @param maxQueueDelayMicros how long the oldest request may wait for a batch to grow
 * @param preserveOrdering responses complete in arrival order
 * @param priorityLevels number of levels (0 means one level)
 * @param defaultPriorityLevel the level of a request that names none
 * @param defaultQueuePolicy the policy of every level not in {@code priorityQueuePolicies}
 * @param priorityQueuePolicies per-level overrides
 * @param globalMaxQueueSize Sluice's cap on waiting requests when a policy says 0 (unbounded
 *     in Triton); keeps memory bounded under any load
 */
public record BatcherConfig(
    int maxBatchSize,
    boolean dynamicBatching,
    List<Integer> preferredBatchSizes,
    long maxQueueDelayMicros,
    boolean preserveOrdering,
    int priorityLevels,
    int defaultPriorityLevel,
    QueuePolicy defaultQueuePolicy,
    Map<Integer, QueuePolicy> priorityQueuePolicies,
    int globalMaxQueueSize) {

  /** The default global cap on queued requests per version. */
  public static final int DEFAULT_GLOBAL_MAX_QUEUE_SIZE = 4096;

  public BatcherConfig {
    if (maxBatchSize < 0) {
      throw new IllegalArgumentException("maxBatchSize: " + maxBatchSize + " (expected: >= 0)");
    }
    preferredBatchSizes = List.copyOf(preferredBatchSizes);
    for (int p : preferredBatchSizes) {
      if (p < 1 || (maxBatchSize > 0 && p > maxBatchSize)) {
        throw new IllegalArgumentException(
            "preferredBatchSize: " + p + " (expected: 1.." + Math.max(1, maxBatchSize) + ")");
      }
    }
    if (maxQueueDelayMicros < 0) {
      throw new IllegalArgumentException(
          "maxQueueDelayMicros: " + maxQueueDelayMicros + " (expected: >= 0)");
    }
    if (priorityLevels < 0) {
      throw new IllegalArgumentException("priorityLevels: " + priorityLevels + " (expected: >= 0)");
    }
    if (defaultPriorityLevel < 0 || defaultPriorityLevel > Math.max(priorityLevels, 0)) {
      throw new IllegalArgumentException(
          "defaultPriorityLevel: " + defaultPriorityLevel + " (expected: 0.." + priorityLevels + ")");
    }
    if (defaultQueuePolicy == null) {
      defaultQueuePolicy = QueuePolicy.DEFAULT;
    }
    priorityQueuePolicies = Map.copyOf(priorityQueuePolicies);
    if (globalMaxQueueSize < 1) {
      throw new IllegalArgumentException(
          "globalMaxQueueSize: " + globalMaxQueueSize + " (expected: > 0)");
    }
  }

  /** No batch dimension, no dynamic batching: each request runs alone. */
  public static BatcherConfig unbatched() {
    return new BatcherConfig(
        0, false, List.of(), 0, false, 0, 0, QueuePolicy.DEFAULT, Map.of(),
        DEFAULT_GLOBAL_MAX_QUEUE_SIZE);
  }

  /** Triton's {@code dynamic_batching { }} with every default, for a given max batch size. */
  public static BatcherConfig dynamic(int maxBatchSize) {
    return new BatcherConfig(
        maxBatchSize, true, List.of(), 0, false, 0, 0, QueuePolicy.DEFAULT, Map.of(),
        DEFAULT_GLOBAL_MAX_QUEUE_SIZE);
  }
}
