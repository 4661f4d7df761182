package io.sluice.gateway.routing;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies of one arm over a sliding window of whole ticks: request threads record into an
 * HdrHistogram {@link Recorder} (wait-free), and the guard thread's {@link #tick} moves the
 * interval since the last tick into a ring of per-tick histograms, subtracting the one that
 * leaves the window, so {@link #window} is always the sum of the last {@code ticks} intervals.
 * Values are microseconds.
 */
final class LatencyWindow {
  private static final long MAX_MICROS = 3_600_000_000L;

  private final Recorder recorder = new Recorder(MAX_MICROS, 2);
  private final Histogram[] ring;
  private final Histogram window = new Histogram(MAX_MICROS, 2);
  private Histogram interval;
  private int next;

  /** @param ticks how many ticks the window spans */
  LatencyWindow(int ticks) {
    ring = new Histogram[ticks];
  }

  /** Any thread. */
  void record(long nanos) {
    recorder.recordValue(Math.min(MAX_MICROS, Math.max(0, nanos / 1000)));
  }

  /** The guard thread only: closes the current interval and slides the window by one tick. */
  synchronized void tick() {
    interval = recorder.getIntervalHistogram(interval);
    Histogram leaving = ring[next];
    if (leaving != null) {
      window.subtract(leaving);
      leaving.reset();
      leaving.add(interval);
    } else {
      ring[next] = interval.copy();
    }
    window.add(interval);
    next = (next + 1) % ring.length;
  }

  /** Samples in the window. */
  synchronized long count() {
    return window.getTotalCount();
  }

  /** The window's 99th percentile in microseconds (0 when empty). */
  synchronized long p99Micros() {
    return window.getValueAtPercentile(99);
  }
}
