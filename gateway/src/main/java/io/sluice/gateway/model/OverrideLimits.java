package io.sluice.gateway.model;

import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelDynamicBatching;
import io.sluice.proto.inference.ModelConfigProto.ModelInstanceGroup;
import io.sluice.proto.inference.ModelConfigProto.ModelParameter;
import io.sluice.proto.inference.ModelConfigProto.ModelQueuePolicy;
import io.sluice.proto.inference.ModelConfigProto.ModelWarmup;
import io.sluice.runtime.Status;

/**
 * How far a {@code config} override in a load request may reconfigure a model: a load request
 * comes over the network, so what it may ask for is bounded by what the machine can give, and a
 * request over a bound is refused (INVALID_ARGUMENT, naming the field, its value and the limit)
 * before anything is loaded, so the running version keeps serving. A {@code config.pbtxt} on disk
 * is not checked: the operator owns the disk.
 *
 * <p>The limits with a flag are the ones an operator may need to raise on a bigger box; the
 * others bound memory an override could otherwise claim (priority queues, warm-up tensors).
 *
 * @param maxInstances instances across every {@code instance_group} ({@code
 *     --max-override-instances})
 * @param maxThreads each of the {@code intra_op_thread_count} and {@code inter_op_thread_count}
 *     parameters ({@code --max-override-threads})
 * @param maxQueueDelayMicros {@code dynamic_batching.max_queue_delay_microseconds} ({@code
 *     --max-override-queue-delay-us})
 * @param maxQueueSize every queue policy's {@code max_queue_size} ({@code
 *     --max-override-queue-size})
 * @param maxBatchSize {@code max_batch_size}, and each warm-up's {@code batch_size} ({@code
 *     --max-override-batch-size})
 */
public record OverrideLimits(
    int maxInstances, int maxThreads, int maxQueueDelayMicros, int maxQueueSize,
    int maxBatchSize) {

  /** {@code dynamic_batching.priority_levels}: one queue is allocated per level. */
  public static final int MAX_PRIORITY_LEVELS = 16;
  /** Each warm-up's {@code count}: warm-ups run one after another on the lifecycle thread. */
  public static final int MAX_WARMUP_COUNT = 100;
  /** Elements of one warm-up input, batch included (64 MiB of FP32). */
  public static final long MAX_WARMUP_ELEMENTS = 16L << 20;

  static final String INTRA_OP_THREAD_COUNT = "intra_op_thread_count";
  static final String INTER_OP_THREAD_COUNT = "inter_op_thread_count";

  public OverrideLimits {
    positive("maxInstances", maxInstances);
    positive("maxThreads", maxThreads);
    positive("maxQueueSize", maxQueueSize);
    positive("maxBatchSize", maxBatchSize);
    if (maxQueueDelayMicros < 0) {
      throw new IllegalArgumentException(
          "maxQueueDelayMicros: " + maxQueueDelayMicros + " (expected: >= 0)");
    }
  }

  /** 8 instances, 2 × cores threads, 1 s queue delay, 4096 queued, batches of 1024. */
  public static OverrideLimits ofDefaults() {
    return new OverrideLimits(8, defaultMaxThreads(), 1_000_000, 4096, 1024);
  }

  /** Twice the cores: more ORT threads than that only add context switches. */
  public static int defaultMaxThreads() {
    return 2 * Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  /**
   * Checks {@code override}, the config a load request for {@code model} carries.
   *
   * @throws io.sluice.runtime.StatusException INVALID_ARGUMENT naming the first field over its
   *     limit, or a {@code name} other than {@code model}
   */
  public void check(String model, ModelConfig override) {
    if (!override.getName().isEmpty() && !override.getName().equals(model)) {
      throw invalid("'name': '" + override.getName() + "' (expected: '" + model
          + "', the model being loaded, or no name)");
    }
    atMost("max_batch_size", override.getMaxBatchSize(), maxBatchSize, "--max-override-batch-size");
    long instances = 0;
    for (ModelInstanceGroup g : override.getInstanceGroupList()) {
      if (g.getCount() < 0) {
        throw invalid("instance_group '" + g.getName() + "' count: " + g.getCount()
            + " (expected: >= 0)");
      }
      instances += Math.max(1, g.getCount());
    }
    atMost("instance_group (instances in all)", instances, maxInstances,
        "--max-override-instances");
    threads(override, INTRA_OP_THREAD_COUNT);
    threads(override, INTER_OP_THREAD_COUNT);
    if (override.hasDynamicBatching()) {
      ModelDynamicBatching db = override.getDynamicBatching();
      atMost("dynamic_batching.max_queue_delay_microseconds", db.getMaxQueueDelayMicroseconds(),
          maxQueueDelayMicros, "--max-override-queue-delay-us");
      atMost("dynamic_batching.priority_levels", db.getPriorityLevels(), MAX_PRIORITY_LEVELS, null);
      queuePolicy("dynamic_batching.default_queue_policy", db.getDefaultQueuePolicy());
      for (var e : db.getPriorityQueuePolicyMap().entrySet()) {
        queuePolicy("dynamic_batching.priority_queue_policy[" + e.getKey() + "]", e.getValue());
      }
    }
    for (ModelWarmup w : override.getModelWarmupList()) {
      warmup(w);
    }
  }

  private void threads(ModelConfig override, String key) {
    ModelParameter p = override.getParametersMap().get(key);
    if (p == null) {
      return;
    }
    long n;
    try {
      n = Long.parseLong(p.getStringValue().strip());
    } catch (NumberFormatException e) {
      throw invalid("parameters '" + key + "': '" + p.getStringValue()
          + "' (expected: a whole number of threads, 0 for the default)");
    }
    if (n < 0) {
      throw invalid("parameters '" + key + "': " + n + " (expected: >= 0, 0 for the default)");
    }
    atMost("parameters '" + key + "'", n, maxThreads, "--max-override-threads");
  }

  private void queuePolicy(String field, ModelQueuePolicy policy) {
    atMost(field + ".max_queue_size", policy.getMaxQueueSize(), maxQueueSize,
        "--max-override-queue-size");
  }

  private void warmup(ModelWarmup w) {
    String field = "model_warmup '" + w.getName() + "'";
    atMost(field + " batch_size", w.getBatchSize(), maxBatchSize, "--max-override-batch-size");
    atMost(field + " count", w.getCount(), MAX_WARMUP_COUNT, null);
    long batch = Math.max(1, w.getBatchSize());
    for (var e : w.getInputsMap().entrySet()) {
      long elements = batch;
      for (long d : e.getValue().getDimsList()) {
        if (d < 0) {
          throw invalid(field + " input '" + e.getKey() + "' dims: " + d + " (expected: >= 0)");
        }
        if (d > 0 && elements > MAX_WARMUP_ELEMENTS / d) {
          elements = MAX_WARMUP_ELEMENTS + 1; // over the limit, and no overflow on the way
          break;
        }
        elements *= d;
      }
      atMost(field + " input '" + e.getKey() + "' elements (batch × dims)", elements,
          MAX_WARMUP_ELEMENTS, null);
    }
  }

  private static void atMost(String field, long value, long limit, String flag) {
    if (value > limit) {
      throw invalid(field + ": " + value + " (expected: <= " + limit
          + (flag == null ? "" : "; " + flag + " raises the limit") + ")");
    }
    if (value < 0) {
      throw invalid(field + ": " + value + " (expected: >= 0)");
    }
  }

  private static RuntimeException invalid(String problem) {
    return Status.invalidArgument("config override " + problem).asException();
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
  }
}
