package io.sluice.runtime;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How long one batch item takes on one instance, as an exponentially weighted moving average of
 * the executions so far; the scheduler multiplies it by the items waiting to estimate a new
 * request's queue time. Instance threads record, the enqueueing thread reads; both lock-free.
 * Before the first execution the estimate is 0, so nothing is refused on a guess.
 */
final class ServiceTime {
  /** Weight of the newest execution: recent enough to follow a change of load within ~10 runs. */
  private static final double ALPHA = 0.2;

  /** {@link Double#doubleToRawLongBits} of the average nanoseconds per item; 0 before any run. */
  private final AtomicLong nanosPerItem = new AtomicLong();

  /** Records one execution of {@code items} batch items that took {@code nanos}. */
  void record(int items, long nanos) {
    if (items <= 0 || nanos <= 0) {
      return;
    }
    double sample = (double) nanos / items;
    long prev;
    long next;
    do {
      prev = nanosPerItem.get();
      double avg = Double.longBitsToDouble(prev);
      next = Double.doubleToRawLongBits(avg == 0 ? sample : avg + ALPHA * (sample - avg));
    } while (!nanosPerItem.compareAndSet(prev, next));
  }

  /** The estimated time for {@code items} waiting items to be served by {@code instances}. */
  long estimateNanos(long items, int instances) {
    double perItem = Double.longBitsToDouble(nanosPerItem.get());
    return (long) (perItem * items / Math.max(1, instances));
  }
}
