package io.sluice.gateway.model;

import java.util.List;
import java.util.Objects;

/**
 * The versions one request goes to: the primary answers it; shadows get a copy whose answer is
 * compared and dropped. {@code route} says why the primary was chosen (it travels to the answer's
 * {@code x-sluice-route} and to the metrics); {@code fallback}, on a canary, is the stable
 * selection a failed request is retried on once. Selectors precompute these, so choosing
 * allocates nothing unless a shadow copy is taken.
 *
 * @param primary the version whose answer the caller gets
 * @param shadows versions that get a copy of the request
 * @param route how the primary was chosen
 * @param fallback where a failure of the primary is retried once, or null for no retry
 */
public record Selection(
    LoadedVersion primary, List<LoadedVersion> shadows, Route route, Selection fallback) {

  /** How a request's version was chosen, as {@code x-sluice-route} names it. */
  public enum Route {
    /** The stable version of a traffic policy, or the default version without one. */
    STABLE("stable"),
    /** A weighted candidate of a traffic policy. */
    CANARY("canary"),
    /** Named by the request: its URL or message, or the {@code x-sluice-version} pin. */
    PINNED("pinned");

    private final String label;

    Route(String label) {
      this.label = label;
    }

    /** The lower-case name used in headers, metadata and metric tags. */
    public String label() {
      return label;
    }
  }

  public Selection {
    Objects.requireNonNull(primary, "primary");
    Objects.requireNonNull(route, "route");
    shadows = List.copyOf(shadows);
  }

  /** A stable selection without shadows or fallback. */
  public Selection(LoadedVersion primary, List<LoadedVersion> shadows) {
    this(primary, shadows, Route.STABLE, null);
  }

  static Selection of(LoadedVersion primary) {
    return new Selection(primary, List.of());
  }

  /** {@code primary} alone, chosen by {@code route}. */
  public static Selection of(LoadedVersion primary, Route route) {
    return new Selection(primary, List.of(), route, null);
  }

  /** The same choice with copies going to {@code shadowVersions}. */
  public Selection withShadows(List<LoadedVersion> shadowVersions) {
    return new Selection(primary, shadowVersions, route, fallback);
  }
}
