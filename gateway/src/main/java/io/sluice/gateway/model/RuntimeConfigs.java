package io.sluice.gateway.model;

import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelDynamicBatching;
import io.sluice.proto.inference.ModelConfigProto.ModelInstanceGroup;
import io.sluice.proto.inference.ModelConfigProto.ModelQueuePolicy;
import io.sluice.runtime.BackendOptions;
import io.sluice.runtime.BatcherConfig;
import io.sluice.runtime.Device;
import io.sluice.runtime.QueuePolicy;
import java.util.HashMap;
import java.util.Map;

/** Maps a (completed) {@link ModelConfig} to the runtime's own records. */
final class RuntimeConfigs {
  private RuntimeConfigs() {}

  static BatcherConfig batcher(
      ModelConfig config, int globalMaxQueueSize, long maxQueueTimeMicros) {
    int max = config.getMaxBatchSize();
    if (!config.hasDynamicBatching() || max == 0) {
      return BatcherConfig.builder()
          .maxBatchSize(max)
          .globalMaxQueueSize(globalMaxQueueSize)
          .maxQueueTimeMicros(maxQueueTimeMicros)
          .build();
    }
    ModelDynamicBatching db = config.getDynamicBatching();
    Map<Integer, QueuePolicy> perLevel = new HashMap<>();
    db.getPriorityQueuePolicyMap()
        .forEach((level, policy) -> perLevel.put(Math.toIntExact(level), queuePolicy(policy)));
    return BatcherConfig.builder()
        .maxBatchSize(max)
        .dynamicBatching(true)
        .preferredBatchSizes(db.getPreferredBatchSizeList())
        .maxQueueDelayMicros(db.getMaxQueueDelayMicroseconds())
        .preserveOrdering(db.getPreserveOrdering())
        .priorityLevels(Math.toIntExact(db.getPriorityLevels()))
        .defaultPriorityLevel(Math.toIntExact(db.getDefaultPriorityLevel()))
        .defaultQueuePolicy(
            db.hasDefaultQueuePolicy()
                ? queuePolicy(db.getDefaultQueuePolicy())
                : QueuePolicy.DEFAULT)
        .priorityQueuePolicies(perLevel)
        .globalMaxQueueSize(globalMaxQueueSize)
        .maxQueueTimeMicros(maxQueueTimeMicros)
        .build();
  }

  static QueuePolicy queuePolicy(ModelQueuePolicy p) {
    return new QueuePolicy(
        p.getTimeoutAction() == ModelQueuePolicy.TimeoutAction.DELAY
            ? QueuePolicy.TimeoutAction.DELAY
            : QueuePolicy.TimeoutAction.REJECT,
        p.getDefaultTimeoutMicroseconds(),
        p.getAllowTimeoutOverride(),
        p.getMaxQueueSize());
  }

  /** Instances across every CPU group; GPU groups count too when CUDA is in use. */
  static int instanceCount(ModelConfig config) {
    int n = 0;
    for (ModelInstanceGroup g : config.getInstanceGroupList()) {
      n += Math.max(1, g.getCount());
    }
    return Math.max(1, n);
  }

  static boolean wantsGpu(ModelConfig config) {
    return config.getInstanceGroupList().stream()
        .anyMatch(g -> g.getKind() == ModelInstanceGroup.Kind.KIND_GPU);
  }

  /**
   * The options one instance of {@code config} opens with: the defaults, on CUDA when a KIND_GPU
   * group asks for it and CUDA is available (the group's first gpu, else 0), with the model's
   * string parameters for the engine to read (ORT's thread counts, for one).
   */
  static BackendOptions backendOptions(
      ModelConfig config, BackendOptions defaults, boolean cudaAvailable) {
    boolean gpu = cudaAvailable && wantsGpu(config);
    int device =
        config.getInstanceGroupList().stream()
            .filter(g -> g.getKind() == ModelInstanceGroup.Kind.KIND_GPU && g.getGpusCount() > 0)
            .map(g -> g.getGpus(0))
            .findFirst()
            .orElse(0);
    Map<String, String> parameters = new HashMap<>();
    config.getParametersMap().forEach((k, v) -> parameters.put(k, v.getStringValue()));
    return defaults.withDevice(gpu ? Device.cuda(device) : Device.CPU).withParameters(parameters);
  }
}
