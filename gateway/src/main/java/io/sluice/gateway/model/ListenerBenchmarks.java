package io.sluice.gateway.model;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.gateway.metrics.VersionMeters;
import io.sluice.gateway.metrics.VersionStats;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.runtime.ModelSignature;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The benchmark facade for listeners: a {@link LoadedVersion} with a config and no engine, which
 * an {@code InferenceEvent} can name. It never runs a request.
 */
public final class ListenerBenchmarks {
  private ListenerBenchmarks() {}

  public static LoadedVersion version(String name, long version, ModelConfig config) {
    String v = Long.toString(version);
    return new LoadedVersion(name, version, config, new ModelSignature(List.of(), List.of()),
        null, new VersionStats(name, v, Clock.systemUTC(),
            new VersionMeters(new SimpleMeterRegistry(), name, v)), Map.of());
  }
}
