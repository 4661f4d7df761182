package io.sluice.gateway.model;

import java.util.Objects;

/**
 * One version as a {@link ModelRecord} snapshot shows it.
 *
 * @param version the version number
 * @param state where it stands
 * @param reason why it is not READY, "" otherwise
 * @param loaded the serving version when READY, else null
 */
public record VersionEntry(long version, VersionState state, String reason, LoadedVersion loaded) {

  public VersionEntry {
    Objects.requireNonNull(state, "state");
    reason = reason == null ? "" : reason;
    if ((state == VersionState.READY) != (loaded != null)) {
      throw new IllegalArgumentException(
          "version " + version + ": state " + state + " with"
              + (loaded == null ? "out" : "") + " a loaded version (expected: one exactly when READY)");
    }
  }

  static VersionEntry ready(LoadedVersion loaded) {
    return new VersionEntry(loaded.version(), VersionState.READY, "", loaded);
  }

  static VersionEntry loading(long version) {
    return new VersionEntry(version, VersionState.LOADING, "loading", null);
  }

  /** LOADING → FAILED, or a version that never started loading because its folder is bad. */
  static VersionEntry failed(long version, String reason) {
    return new VersionEntry(version, VersionState.FAILED, reason, null);
  }

  static VersionEntry unloaded(long version, String reason) {
    return new VersionEntry(version, VersionState.UNLOADED, reason, null);
  }

  public boolean isReady() {
    return state == VersionState.READY;
  }
}
