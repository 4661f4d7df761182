package io.sluice.gateway.model;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where one model version stands, and the only moves it may make. The lifecycle thread of {@link
 * ModelManager} applies every transition; {@link #check} refuses any other.
 *
 * <pre>
 *   LOADING ──► READY ──► DRAINING ──► UNLOADED
 *      │
 *      └──► FAILED
 * </pre>
 *
 * Triton's repository index knows four names; {@link #indexName} maps onto them.
 */
public enum VersionState {
  /** Being loaded and warmed up; takes no request. */
  LOADING("LOADING"),
  /** Serving: admits requests. */
  READY("READY"),
  /** Replaced or unloaded: admits nothing new, finishes the requests it holds. */
  DRAINING("UNLOADING"),
  /** Closed; its engine is gone. */
  UNLOADED("UNAVAILABLE"),
  /** Failed to load; the reason says why. */
  FAILED("UNAVAILABLE");

  private final String indexName;

  VersionState(String indexName) {
    this.indexName = indexName;
  }

  /** The name Triton's repository index uses: READY, LOADING, UNLOADING or UNAVAILABLE. */
  public String indexName() {
    return indexName;
  }

  /** The states this one may move to. */
  public Set<VersionState> next() {
    return switch (this) {
      case LOADING -> EnumSet.of(READY, FAILED);
      case READY -> EnumSet.of(DRAINING);
      case DRAINING -> EnumSet.of(UNLOADED);
      case UNLOADED, FAILED -> EnumSet.noneOf(VersionState.class);
    };
  }

  /**
   * Returns {@code to} when this state may move there.
   *
   * @throws IllegalStateException for a move the state machine does not allow
   */
  public VersionState check(VersionState to) {
    if (!next().contains(to)) {
      throw new IllegalStateException(
          "version state " + this + " -> " + to + " (expected: " + this + " -> " + next() + ")");
    }
    return to;
  }
}
