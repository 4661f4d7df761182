package io.sluice.gateway.core;

import java.util.Locale;

/**
 * Triton's {@code --model-control-mode}: who may change which models serve once the server is up.
 * Every mode loads the whole folder repository at start (Sluice's {@code explicit} behaves as
 * Triton's {@code explicit} with {@code --load-model=*}, which keeps start-up what it was before
 * the modes existed). Only {@code explicit} accepts the repository load and unload API; in the
 * others it is refused with Triton's own status and message, before anything changes.
 */
public enum ModelControlMode {
  /** Load everything at start; the folder and the API change nothing afterwards. */
  NONE,
  /** Load everything at start, then follow the folder by polling; the API is refused. */
  POLL,
  /** Load everything at start; the load and unload API changes what serves (the default). */
  EXPLICIT;

  /** Triton's words for a load or unload in a mode without the API (it says the same in NONE). */
  static final String REFUSAL = "explicit model load / unload is not allowed if polling is enabled";

  /** Whether {@code POST /v2/repository/models/NAME/load|unload} may change what serves. */
  public boolean allowsRepositoryApi() {
    return this == EXPLICIT;
  }

  /** The flag's spelling, as Triton writes it. */
  public String flagValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Reads {@code none}, {@code poll} or {@code explicit}, in any case. */
  public static ModelControlMode parse(String text) {
    for (ModelControlMode m : values()) {
      if (m.name().equalsIgnoreCase(text.trim())) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "model-control-mode: '" + text + "' (expected: none, poll or explicit)");
  }
}
