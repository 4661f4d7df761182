package io.sluice.loadtest;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the highest offered rate whose window meets the SLO (MLPerf "Server" style): doubling from
 * a start rate until a window fails, then bisecting between the last pass and the first fail.
 * When the start rate already fails it halves down first. Windows are supplied by a {@link Trial}
 * so the search itself is tested without a server.
 */
final class SloSearch {
  private final double sloMicros;
  private final double maxErrorRatio;
  private final double minThroughputRatio;
  private final int maxDoublings;
  private final int maxHalvings;
  private final int bisections;
  private final int retries;

  /**
   * @param sloMicros p99 bound
   * @param maxErrorRatio a window with this ratio of errors or more fails (0.001 = 0.1%)
   * @param minThroughputRatio a window whose achieved throughput is below this fraction of the
   *     offered rate fails (the server fell behind even if the tail still looked good)
   * @param maxDoublings bound on the upward phase
   * @param maxHalvings bound on the downward phase, when the start rate already misses
   * @param bisections refinement steps after the bracket is found
   * @param retries times a missing window is repeated before the rate counts as a miss: on a
   *     shared machine a burst of foreign load can fail one window at a rate the server carries
   */
  SloSearch(
      double sloMicros,
      double maxErrorRatio,
      double minThroughputRatio,
      int maxDoublings,
      int maxHalvings,
      int bisections,
      int retries) {
    if (!(sloMicros > 0)) {
      throw new IllegalArgumentException("slo: " + sloMicros + " µs (expected: > 0)");
    }
    this.sloMicros = sloMicros;
    this.maxErrorRatio = maxErrorRatio;
    this.minThroughputRatio = minThroughputRatio;
    this.maxDoublings = maxDoublings;
    this.maxHalvings = maxHalvings;
    this.bisections = bisections;
    this.retries = retries;
  }

  /** Runs one measured window at an offered rate; {@code attempt} is 0, then 1.. for repeats. */
  @FunctionalInterface
  interface Trial {
    WindowResult run(double rate, int attempt) throws InterruptedException;
  }

  /** One window of the search (repeats included) and whether it met the SLO. */
  record Step(double rate, boolean meets, WindowResult result) {}

  /**
   * The outcome.
   *
   * @param sloRate highest passing rate, 0 when none passed
   * @param best the window at {@code sloRate}, null when none passed
   */
  record Outcome(double sloRate, WindowResult best, List<Step> steps) {}

  boolean meets(WindowResult r) {
    return r.errorRatio() < maxErrorRatio
        && r.latencyUs().count() > 0
        && r.latencyUs().p99() <= sloMicros
        && (r.offeredRate() <= 0 || r.throughputRps() >= minThroughputRatio * r.offeredRate());
  }

  Outcome search(double startRate, Trial trial) throws InterruptedException {
    List<Step> steps = new ArrayList<>();
    double lo = 0;
    WindowResult best = null;
    double hi;
    Step first = step(startRate, trial, steps);
    if (first.meets) {
      lo = startRate;
      best = first.result;
      hi = Double.NaN;
      double rate = startRate;
      for (int i = 0; i < maxDoublings; i++) {
        rate *= 2;
        Step s = step(rate, trial, steps);
        if (!s.meets) {
          hi = rate;
          break;
        }
        lo = rate;
        best = s.result;
      }
      if (Double.isNaN(hi)) {
        return new Outcome(lo, best, steps);
      }
    } else {
      hi = startRate;
      double rate = startRate;
      for (int i = 0; i < maxHalvings && lo == 0; i++) {
        rate /= 2;
        Step s = step(rate, trial, steps);
        if (s.meets) {
          lo = rate;
          best = s.result;
        } else {
          hi = rate;
        }
      }
      if (lo == 0) {
        return new Outcome(0, null, steps);
      }
    }
    for (int i = 0; i < bisections; i++) {
      double mid = (lo + hi) / 2;
      Step s = step(mid, trial, steps);
      if (s.meets) {
        lo = mid;
        best = s.result;
      } else {
        hi = mid;
      }
    }
    return new Outcome(lo, best, steps);
  }

  private Step step(double rate, Trial trial, List<Step> steps) throws InterruptedException {
    Step s = null;
    for (int attempt = 0; attempt <= retries && (s == null || !s.meets); attempt++) {
      WindowResult r = trial.run(rate, attempt);
      s = new Step(rate, meets(r), r);
      steps.add(s);
    }
    return s;
  }
}
