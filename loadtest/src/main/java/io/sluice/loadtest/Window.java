package io.sluice.loadtest;

import java.time.Duration;

/** A warm-up followed by a measured window. */
record Window(long warmupNanos, long durationNanos) {
  Window {
    if (warmupNanos < 0) {
      throw new IllegalArgumentException("warmup: " + warmupNanos + " ns (expected: >= 0)");
    }
    if (durationNanos <= 0) {
      throw new IllegalArgumentException("duration: " + durationNanos + " ns (expected: > 0)");
    }
  }

  static Window of(Duration warmup, Duration duration) {
    return new Window(warmup.toNanos(), duration.toNanos());
  }

  static Window ofSeconds(double warmup, double duration) {
    return new Window(Math.round(warmup * 1e9), Math.round(duration * 1e9));
  }

  double durationSeconds() {
    return durationNanos / 1e9;
  }
}
