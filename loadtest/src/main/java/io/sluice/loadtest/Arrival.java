package io.sluice.loadtest;

/** How intended send times are spaced for a given mean rate. */
enum Arrival {
  /** Every {@code 1/rate} seconds exactly (wrk2's model). */
  CONSTANT,
  /** Exponential inter-arrival times with mean {@code 1/rate} (MLPerf "Server"). */
  POISSON;

  ArrivalSchedule schedule(double ratePerSecond, long seed, long startNanos) {
    return new ArrivalSchedule(this, ratePerSecond, seed, startNanos);
  }
}
