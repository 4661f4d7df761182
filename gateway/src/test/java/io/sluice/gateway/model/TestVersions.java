package io.sluice.gateway.model;

import io.sluice.proto.inference.ModelConfigProto.ModelConfig;

/** A {@link LoadedVersion} without an engine, for listeners' unit tests (it never runs). */
public final class TestVersions {
  private TestVersions() {}

  public static LoadedVersion of(String name, long version, ModelConfig config) {
    return ListenerBenchmarks.version(name, version, config);
  }

  /**
   * A version whose requests go to {@code scheduler} (a fake engine), with the signature its
   * config declares, for the unit tests of code that runs requests itself (the shadow runner).
   */
  public static LoadedVersion running(String name, long version, ModelConfig config,
      io.sluice.runtime.ModelSignature signature, io.sluice.runtime.Scheduler scheduler) {
    String v = Long.toString(version);
    return new LoadedVersion(name, version, config, signature, scheduler,
        new io.sluice.gateway.metrics.VersionStats(name, v, java.time.Clock.systemUTC(),
            new io.sluice.gateway.metrics.VersionMeters(
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), name, v)),
        java.util.Map.of());
  }

  /** A READY entry of {@code v}, for selectors' unit tests. */
  public static VersionEntry ready(LoadedVersion v) {
    return VersionEntry.ready(v);
  }

  /** The default selector (latest READY, or the version named) over {@code versions}. */
  public static VersionSelector defaultSelector(
      String name, java.util.NavigableMap<Long, VersionEntry> versions) {
    return new LatestOrNamedSelector(name, versions, "no version is loaded");
  }
}
