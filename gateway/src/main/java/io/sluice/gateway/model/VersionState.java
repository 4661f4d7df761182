package io.sluice.gateway.model;

/**
 * Where one version stands. Triton's repository index shows these names.
 *
 * @param version the version number
 * @param state READY, LOADING, UNAVAILABLE or UNLOADING
 * @param reason why it is not READY, "" otherwise
 * @param loaded the serving version when READY, else null
 */
public record VersionState(long version, String state, String reason, LoadedVersion loaded) {
  public static final String READY = "READY";
  public static final String LOADING = "LOADING";
  public static final String UNAVAILABLE = "UNAVAILABLE";
  public static final String UNLOADING = "UNLOADING";

  public boolean isReady() {
    return READY.equals(state) && loaded != null;
  }
}
