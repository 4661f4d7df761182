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

  /**
   * The options one instance of {@code config} opens with: the defaults with the model's string
   * parameters for the engine to read (ORT's thread counts and CUDA options, for one), on the
   * device its instance groups ask for. A KIND_GPU group: CUDA, required, on its first gpu (else
   * 0); only KIND_CPU groups: the CPU; KIND_AUTO or no group at all: AUTO, a GPU where the engine
   * can use one (Triton's rule).
   */
  static BackendOptions backendOptions(ModelConfig config, BackendOptions defaults) {
    Map<String, String> parameters = new HashMap<>();
    config.getParametersMap().forEach((k, v) -> parameters.put(k, v.getStringValue()));
    return defaults.withDevice(device(config)).withParameters(parameters);
  }

  static Device device(ModelConfig config) {
    for (ModelInstanceGroup g : config.getInstanceGroupList()) {
      if (g.getKind() == ModelInstanceGroup.Kind.KIND_GPU) {
        return Device.cuda(g.getGpusCount() > 0 ? g.getGpus(0) : 0);
      }
    }
    for (ModelInstanceGroup g : config.getInstanceGroupList()) {
      if (g.getKind() == ModelInstanceGroup.Kind.KIND_AUTO) {
        return Device.auto(g.getGpusCount() > 0 ? g.getGpus(0) : 0);
      }
    }
    return config.getInstanceGroupCount() == 0 ? Device.AUTO : Device.CPU;
  }

  /**
   * {@code config} with where its instances really run written in, as Triton reports it: each
   * KIND_AUTO group becomes KIND_GPU (with the device) or KIND_CPU, and a config without groups
   * gets one such group per instance it already had (one), so clients see the resolved kind.
   */
  static ModelConfig withResolvedDevice(ModelConfig config, Device resolved) {
    ModelInstanceGroup.Kind kind =
        resolved.isCuda() ? ModelInstanceGroup.Kind.KIND_GPU : ModelInstanceGroup.Kind.KIND_CPU;
    ModelConfig.Builder b = config.toBuilder();
    if (b.getInstanceGroupCount() == 0) {
      ModelInstanceGroup.Builder g = ModelInstanceGroup.newBuilder().setKind(kind).setCount(1);
      if (resolved.isCuda()) {
        g.addGpus(resolved.id());
      }
      return b.addInstanceGroup(g).build();
    }
    for (int i = 0; i < b.getInstanceGroupCount(); i++) {
      ModelInstanceGroup g = b.getInstanceGroup(i);
      if (g.getKind() == ModelInstanceGroup.Kind.KIND_AUTO) {
        ModelInstanceGroup.Builder r = g.toBuilder().setKind(kind).clearGpus();
        if (resolved.isCuda()) {
          r.addGpus(resolved.id());
        }
        b.setInstanceGroup(i, r);
      }
    }
    return b.build();
  }
}
