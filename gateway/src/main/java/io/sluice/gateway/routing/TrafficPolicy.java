package io.sluice.gateway.routing;

import java.util.List;
import java.util.Objects;

/**
 * One model's traffic policy, as an operator writes it ({@code PUT /v2/models/{m}/traffic}):
 * which version is stable, which candidates take which percentage of the requests that name no
 * version (stable takes the rest), which versions get a shadow copy of what fraction, which
 * header keeps a user on one arm, and the guards that roll a candidate back. Immutable and
 * validated on construction; {@link PolicyJson} is its JSON form.
 *
 * @param stable the version that answers what no candidate takes
 * @param candidates weighted candidates; weights are percentages summing to at most 100
 * @param shadows versions that get a copy of a fraction of the requests
 * @param stickyHeader the header (or gRPC metadata key) whose value pins a caller to one arm,
 *     lower case; null for none (the V2 parameter {@code sticky_key} works either way)
 * @param guards when a candidate is rolled back
 * @param comparison how a shadow's answers are scored against the primary's
 */
public record TrafficPolicy(
    long stable,
    List<Candidate> candidates,
    List<Shadow> shadows,
    String stickyHeader,
    GuardConfig guards,
    Comparison comparison) {

  /** A weighted candidate: {@code weight} percent of the requests that name no version. */
  public record Candidate(long version, double weight) {
    public Candidate {
      if (!(weight >= 0 && weight <= 100)) {
        throw new IllegalArgumentException(
            "weight of version " + version + ": " + weight + " (expected: 0 to 100)");
      }
    }
  }

  /** A shadow: a copy of {@code fraction} of the requests goes to {@code version}. */
  public record Shadow(long version, double fraction) {
    public Shadow {
      if (!(fraction >= 0 && fraction <= 1)) {
        throw new IllegalArgumentException(
            "fraction of shadow version " + version + ": " + fraction + " (expected: 0 to 1)");
      }
    }
  }

  /**
   * How a shadow's outputs are compared with the primary's. {@code AUTO} compares an output
   * whose last dimension is larger than one by its argmax per row (a classifier's scores) and
   * anything else element by element; integer and string outputs must be equal.
   *
   * @param mode AUTO, ARGMAX or NUMERIC
   * @param absTolerance the largest absolute difference that still agrees (NUMERIC)
   * @param relTolerance the largest difference relative to the primary's value that still
   *     agrees (NUMERIC); an element agrees when either tolerance holds
   */
  public record Comparison(Mode mode, double absTolerance, double relTolerance) {
    public enum Mode {
      AUTO,
      ARGMAX,
      NUMERIC
    }

    public Comparison {
      Objects.requireNonNull(mode, "mode");
      if (!(absTolerance >= 0) || !(relTolerance >= 0)) {
        throw new IllegalArgumentException(
            "tolerances " + absTolerance + ", " + relTolerance + " (expected: >= 0)");
      }
    }

    public static Comparison ofDefaults() {
      return new Comparison(Mode.AUTO, 1e-5, 1e-3);
    }
  }

  public TrafficPolicy {
    candidates = List.copyOf(candidates);
    shadows = List.copyOf(shadows);
    Objects.requireNonNull(guards, "guards");
    Objects.requireNonNull(comparison, "comparison");
    double sum = 0;
    for (Candidate c : candidates) {
      if (c.version() == stable) {
        throw new IllegalArgumentException(
            "version " + stable + " is both stable and a candidate (expected: distinct versions)");
      }
      sum += c.weight();
    }
    if (sum > 100 + 1e-9) {
      throw new IllegalArgumentException("candidate weights sum to " + sum
          + " (expected: at most 100; stable takes the rest)");
    }
    if (candidates.stream().map(Candidate::version).distinct().count() != candidates.size()) {
      throw new IllegalArgumentException("a candidate version is listed twice (expected: once)");
    }
    if (shadows.stream().map(Shadow::version).distinct().count() != shadows.size()) {
      throw new IllegalArgumentException("a shadow version is listed twice (expected: once)");
    }
  }

  /** Stable only: every request that names no version goes to {@code stable}. */
  public static TrafficPolicy stableOnly(long stable) {
    return new TrafficPolicy(stable, List.of(), List.of(), null, GuardConfig.ofDefaults(),
        Comparison.ofDefaults());
  }

  /** The same policy with {@code version} as stable and no longer a candidate. */
  TrafficPolicy promote(long version) {
    return new TrafficPolicy(version,
        candidates.stream().filter(c -> c.version() != version).toList(),
        shadows.stream().filter(s -> s.version() != version).toList(),
        stickyHeader, guards, comparison);
  }

  /** The candidate entry of {@code version}, or null. */
  Candidate candidate(long version) {
    for (Candidate c : candidates) {
      if (c.version() == version) {
        return c;
      }
    }
    return null;
  }
}
