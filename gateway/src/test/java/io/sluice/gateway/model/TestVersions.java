package io.sluice.gateway.model;

import io.sluice.proto.inference.ModelConfigProto.ModelConfig;

/** A {@link LoadedVersion} without an engine, for listeners' unit tests (it never runs). */
public final class TestVersions {
  private TestVersions() {}

  public static LoadedVersion of(String name, long version, ModelConfig config) {
    return ListenerBenchmarks.version(name, version, config);
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
