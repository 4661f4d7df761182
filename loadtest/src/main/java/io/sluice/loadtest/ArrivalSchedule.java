package io.sluice.loadtest;

import java.util.SplittableRandom;

/**
 * The intended send times of an open-loop run: a pure function of arrival kind, rate, seed and
 * start, independent of how fast the server answers. Latency is measured from these times, which
 * is what corrects coordinated omission.
 *
 * <p>Times are computed from an accumulated offset rather than by adding rounded intervals, so a
 * constant schedule does not drift however long it runs.
 */
final class ArrivalSchedule {
  private final Arrival arrival;
  private final double meanIntervalNanos;
  private final SplittableRandom random;
  private final long startNanos;
  private long index;
  private double offsetNanos;

  ArrivalSchedule(Arrival arrival, double ratePerSecond, long seed, long startNanos) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("rate: " + ratePerSecond + " (expected: > 0 and finite)");
    }
    this.arrival = arrival;
    this.meanIntervalNanos = 1e9 / ratePerSecond;
    this.random = new SplittableRandom(seed);
    this.startNanos = startNanos;
  }

  /** The next intended send time, in the same nanosecond base as {@code startNanos}. */
  long next() {
    long i = index++;
    if (arrival == Arrival.CONSTANT) {
      return startNanos + Math.round(i * meanIntervalNanos);
    }
    if (i > 0) {
      // 1 - u is in (0, 1], so the log is finite.
      offsetNanos += -Math.log(1.0 - random.nextDouble()) * meanIntervalNanos;
    }
    return startNanos + Math.round(offsetNanos);
  }
}
