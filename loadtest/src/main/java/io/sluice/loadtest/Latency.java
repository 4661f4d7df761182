package io.sluice.loadtest;

import org.HdrHistogram.Histogram;

/** Percentiles of one histogram of nanosecond values, reported in microseconds. */
record Latency(
    long count, double mean, double p50, double p90, double p99, double p999, double max) {

  static Latency ofNanos(Histogram h) {
    if (h.getTotalCount() == 0) {
      return new Latency(0, 0, 0, 0, 0, 0, 0);
    }
    return new Latency(
        h.getTotalCount(),
        us(h.getMean()),
        us(h.getValueAtPercentile(50)),
        us(h.getValueAtPercentile(90)),
        us(h.getValueAtPercentile(99)),
        us(h.getValueAtPercentile(99.9)),
        us(h.getMaxValue()));
  }

  private static double us(double nanos) {
    return Math.round(nanos / 100.0) / 10.0;
  }
}
