package io.sluice.runtime;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a version's requests become executions: Triton's {@code max_batch_size} and {@code
 * dynamic_batching} in the runtime's own terms. Immutable and validated when built; every field
 * is named at the call site through {@link #builder()}, so two booleans and four ints cannot be
 * swapped silently.
 */
public final class BatcherConfig {

  /** The default global cap on queued requests per version. */
  public static final int DEFAULT_GLOBAL_MAX_QUEUE_SIZE = 4096;

  private final int maxBatchSize;
  private final boolean dynamicBatching;
  private final List<Integer> preferredBatchSizes;
  private final long maxQueueDelayMicros;
  private final boolean preserveOrdering;
  private final int priorityLevels;
  private final int defaultPriorityLevel;
  private final QueuePolicy defaultQueuePolicy;
  private final Map<Integer, QueuePolicy> priorityQueuePolicies;
  private final int globalMaxQueueSize;
  private final long maxQueueTimeMicros;

  private BatcherConfig(Builder b) {
    if (b.maxBatchSize < 0) {
      throw new IllegalArgumentException("maxBatchSize: " + b.maxBatchSize + " (expected: >= 0)");
    }
    List<Integer> preferred = List.copyOf(b.preferredBatchSizes);
    for (int p : preferred) {
      if (p < 1 || (b.maxBatchSize > 0 && p > b.maxBatchSize)) {
        throw new IllegalArgumentException(
            "preferredBatchSize: " + p + " (expected: 1.." + Math.max(1, b.maxBatchSize) + ")");
      }
    }
    if (b.maxQueueDelayMicros < 0) {
      throw new IllegalArgumentException(
          "maxQueueDelayMicros: " + b.maxQueueDelayMicros + " (expected: >= 0)");
    }
    if (b.priorityLevels < 0) {
      throw new IllegalArgumentException(
          "priorityLevels: " + b.priorityLevels + " (expected: >= 0)");
    }
    if (b.defaultPriorityLevel < 0 || b.defaultPriorityLevel > Math.max(b.priorityLevels, 0)) {
      throw new IllegalArgumentException(
          "defaultPriorityLevel: " + b.defaultPriorityLevel + " (expected: 0.." + b.priorityLevels
              + ")");
    }
    if (b.globalMaxQueueSize < 1) {
      throw new IllegalArgumentException(
          "globalMaxQueueSize: " + b.globalMaxQueueSize + " (expected: > 0)");
    }
    this.maxBatchSize = b.maxBatchSize;
    this.dynamicBatching = b.dynamicBatching;
    this.preferredBatchSizes = preferred;
    this.maxQueueDelayMicros = b.maxQueueDelayMicros;
    this.preserveOrdering = b.preserveOrdering;
    this.priorityLevels = b.priorityLevels;
    this.defaultPriorityLevel = b.defaultPriorityLevel;
    this.defaultQueuePolicy =
        b.defaultQueuePolicy == null ? QueuePolicy.DEFAULT : b.defaultQueuePolicy;
    this.priorityQueuePolicies = Map.copyOf(b.priorityQueuePolicies);
    if (b.maxQueueTimeMicros < 0) {
      throw new IllegalArgumentException(
          "maxQueueTimeMicros: " + b.maxQueueTimeMicros + " (expected: >= 0)");
    }
    this.globalMaxQueueSize = b.globalMaxQueueSize;
    this.maxQueueTimeMicros = b.maxQueueTimeMicros;
  }

  /** A builder with Triton's defaults: no batch dimension, no dynamic batching. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's values, to change a few. */
  public Builder toBuilder() {
    return new Builder()
        .maxBatchSize(maxBatchSize)
        .dynamicBatching(dynamicBatching)
        .preferredBatchSizes(preferredBatchSizes)
        .maxQueueDelayMicros(maxQueueDelayMicros)
        .preserveOrdering(preserveOrdering)
        .priorityLevels(priorityLevels)
        .defaultPriorityLevel(defaultPriorityLevel)
        .defaultQueuePolicy(defaultQueuePolicy)
        .priorityQueuePolicies(priorityQueuePolicies)
        .globalMaxQueueSize(globalMaxQueueSize)
        .maxQueueTimeMicros(maxQueueTimeMicros);
  }

  /** No batch dimension, no dynamic batching: each request runs alone. */
  public static BatcherConfig unbatched() {
    return builder().build();
  }

  /** Triton's {@code dynamic_batching { }} with every default, for a given max batch size. */
  public static BatcherConfig dynamic(int maxBatchSize) {
    return builder().maxBatchSize(maxBatchSize).dynamicBatching(true).build();
  }

  /** 0 when the model has no batch dimension; else the largest batch an execution may carry. */
  public int maxBatchSize() {
    return maxBatchSize;
  }

  /** False: every request executes alone (Triton's default scheduler). */
  public boolean dynamicBatching() {
    return dynamicBatching;
  }

  /** Batch sizes to send as soon as they can be formed; empty means {@code [maxBatchSize]}. */
  public List<Integer> preferredBatchSizes() {
    return preferredBatchSizes;
  }

  /** How long the oldest request may wait for a batch to grow. */
  public long maxQueueDelayMicros() {
    return maxQueueDelayMicros;
  }

  /** Responses complete in arrival order. */
  public boolean preserveOrdering() {
    return preserveOrdering;
  }

  /** Number of priority levels (0 means one level). */
  public int priorityLevels() {
    return priorityLevels;
  }

  /** The level of a request that names none. */
  public int defaultPriorityLevel() {
    return defaultPriorityLevel;
  }

  /** The policy of every level not in {@link #priorityQueuePolicies()}. */
  public QueuePolicy defaultQueuePolicy() {
    return defaultQueuePolicy;
  }

  /** Per-level overrides of the queue policy. */
  public Map<Integer, QueuePolicy> priorityQueuePolicies() {
    return priorityQueuePolicies;
  }

  /**
   * Sluice's cap on waiting requests when a policy says 0 (unbounded in Triton); keeps memory
   * bounded under any load.
   */
  public int globalMaxQueueSize() {
    return globalMaxQueueSize;
  }

  /**
   * Sluice's load shedding: the longest a request should wait in the queue, 0 for no limit. A
   * request whose estimated wait is longer is refused at enqueue, UNAVAILABLE with a retry hint;
   * once admitted, a request is served (only the model's own queue timeout, or the caller's
   * deadline, still ends it).
   */
  public long maxQueueTimeMicros() {
    return maxQueueTimeMicros;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BatcherConfig c
        && maxBatchSize == c.maxBatchSize
        && dynamicBatching == c.dynamicBatching
        && preferredBatchSizes.equals(c.preferredBatchSizes)
        && maxQueueDelayMicros == c.maxQueueDelayMicros
        && preserveOrdering == c.preserveOrdering
        && priorityLevels == c.priorityLevels
        && defaultPriorityLevel == c.defaultPriorityLevel
        && defaultQueuePolicy.equals(c.defaultQueuePolicy)
        && priorityQueuePolicies.equals(c.priorityQueuePolicies)
        && globalMaxQueueSize == c.globalMaxQueueSize
        && maxQueueTimeMicros == c.maxQueueTimeMicros;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        maxBatchSize, dynamicBatching, preferredBatchSizes, maxQueueDelayMicros, preserveOrdering,
        priorityLevels, defaultPriorityLevel, defaultQueuePolicy, priorityQueuePolicies,
        globalMaxQueueSize, maxQueueTimeMicros);
  }

  @Override
  public String toString() {
    return "BatcherConfig[maxBatchSize=" + maxBatchSize
        + ", dynamicBatching=" + dynamicBatching
        + ", preferredBatchSizes=" + preferredBatchSizes
        + ", maxQueueDelayMicros=" + maxQueueDelayMicros
        + ", preserveOrdering=" + preserveOrdering
        + ", priorityLevels=" + priorityLevels
        + ", defaultPriorityLevel=" + defaultPriorityLevel
        + ", defaultQueuePolicy=" + defaultQueuePolicy
        + ", priorityQueuePolicies=" + priorityQueuePolicies
        + ", globalMaxQueueSize=" + globalMaxQueueSize
        + ", maxQueueTimeMicros=" + maxQueueTimeMicros + "]";
  }

  /** Named settings of a {@link BatcherConfig}; {@link #build()} validates them. */
  public static final class Builder {
    private int maxBatchSize;
    private boolean dynamicBatching;
    private List<Integer> preferredBatchSizes = List.of();
    private long maxQueueDelayMicros;
    private boolean preserveOrdering;
    private int priorityLevels;
    private int defaultPriorityLevel;
    private QueuePolicy defaultQueuePolicy = QueuePolicy.DEFAULT;
    private Map<Integer, QueuePolicy> priorityQueuePolicies = Map.of();
    private int globalMaxQueueSize = DEFAULT_GLOBAL_MAX_QUEUE_SIZE;
    private long maxQueueTimeMicros;

    private Builder() {}

    public Builder maxBatchSize(int maxBatchSize) {
      this.maxBatchSize = maxBatchSize;
      return this;
    }

    public Builder dynamicBatching(boolean dynamicBatching) {
      this.dynamicBatching = dynamicBatching;
      return this;
    }

    public Builder preferredBatchSizes(List<Integer> preferredBatchSizes) {
      this.preferredBatchSizes = Objects.requireNonNull(preferredBatchSizes, "preferredBatchSizes");
      return this;
    }

    public Builder maxQueueDelayMicros(long maxQueueDelayMicros) {
      this.maxQueueDelayMicros = maxQueueDelayMicros;
      return this;
    }

    public Builder preserveOrdering(boolean preserveOrdering) {
      this.preserveOrdering = preserveOrdering;
      return this;
    }

    public Builder priorityLevels(int priorityLevels) {
      this.priorityLevels = priorityLevels;
      return this;
    }

    public Builder defaultPriorityLevel(int defaultPriorityLevel) {
      this.defaultPriorityLevel = defaultPriorityLevel;
      return this;
    }

    /** {@code null} means {@link QueuePolicy#DEFAULT}. */
    public Builder defaultQueuePolicy(QueuePolicy defaultQueuePolicy) {
      this.defaultQueuePolicy = defaultQueuePolicy;
      return this;
    }

    public Builder priorityQueuePolicies(Map<Integer, QueuePolicy> priorityQueuePolicies) {
      this.priorityQueuePolicies =
          Objects.requireNonNull(priorityQueuePolicies, "priorityQueuePolicies");
      return this;
    }

    public Builder globalMaxQueueSize(int globalMaxQueueSize) {
      this.globalMaxQueueSize = globalMaxQueueSize;
      return this;
    }

    /** 0 (the default) means no limit. */
    public Builder maxQueueTimeMicros(long maxQueueTimeMicros) {
      this.maxQueueTimeMicros = maxQueueTimeMicros;
      return this;
    }

    public BatcherConfig build() {
      return new BatcherConfig(this);
    }
  }
}
