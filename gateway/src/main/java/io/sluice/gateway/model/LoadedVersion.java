package io.sluice.gateway.model;

import io.sluice.gateway.metrics.VersionStats;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.runtime.ModelSignature;
import io.sluice.runtime.Scheduler;
import java.util.List;
import java.util.Map;

/**
 * One model version that is serving: its completed config, what the engine takes, the scheduler
 * in front of its instances, its statistics, and the labels of its classification outputs. It
 * owns the scheduler (and through it the backends) and closes it in {@link #close}.
 */
public final class LoadedVersion implements AutoCloseable {
  private final String name;
  private final long version;
  private final ModelConfig config;
  private final ModelSignature signature;
  private final Scheduler scheduler;
  private final VersionStats stats;
  private final Map<String, List<String>> labels;

  LoadedVersion(
      String name,
      long version,
      ModelConfig config,
      ModelSignature signature,
      Scheduler scheduler,
      VersionStats stats,
      Map<String, List<String>> labels) {
    this.name = name;
    this.version = version;
    this.config = config;
    this.signature = signature;
    this.scheduler = scheduler;
    this.stats = stats;
    this.labels = Map.copyOf(labels);
  }

  public String name() {
    return name;
  }

  public long version() {
    return version;
  }

  public String versionString() {
    return Long.toString(version);
  }

  public ModelConfig config() {
    return config;
  }

  public ModelSignature signature() {
    return signature;
  }

  public Scheduler scheduler() {
    return scheduler;
  }

  public VersionStats stats() {
    return stats;
  }

  /** The labels of an output's {@code label_filename}, or an empty list. */
  public List<String> labels(String output) {
    return labels.getOrDefault(output, List.of());
  }

  /** Drains and closes the scheduler and its backends. */
  @Override
  public void close() {
    scheduler.close();
  }
}
