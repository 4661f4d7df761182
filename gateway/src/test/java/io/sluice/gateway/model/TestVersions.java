package io.sluice.gateway.model;

import io.sluice.proto.inference.ModelConfigProto.ModelConfig;

/** A {@link LoadedVersion} without an engine, for listeners' unit tests (it never runs). */
public final class TestVersions {
  private TestVersions() {}

  public static LoadedVersion of(String name, long version, ModelConfig config) {
    return ListenerBenchmarks.version(name, version, config);
  }
}
