package io.sluice.gateway.model;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.gateway.metrics.VersionMeters;
import io.sluice.gateway.metrics.VersionStats;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.runtime.ModelSignature;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** A {@link LoadedVersion} without an engine, for listeners' unit tests (it never runs). */
public final class TestVersions {
  private TestVersions() {}

  public static LoadedVersion of(String name, long version, ModelConfig config) {
    String v = Long.toString(version);
    return new LoadedVersion(name, version, config, new ModelSignature(List.of(), List.of()),
        null, new VersionStats(name, v, Clock.systemUTC(),
            new VersionMeters(new SimpleMeterRegistry(), name, v)), Map.of());
  }
}
