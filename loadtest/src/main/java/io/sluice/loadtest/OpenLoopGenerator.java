package io.sluice.loadtest;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends requests at intended times from an {@link ArrivalSchedule}, never waiting for responses,
 * and measures each latency from the intended time (coordinated omission corrected, as wrk2).
 *
 * <p>One scheduler thread (the caller's) sleeps until each intended time and hands the request to
 * the transport; when it wakes late it sends everything due at once, and the lateness counts
 * against the latency. When {@code maxOutstanding} requests are already in flight the request is
 * not sent and counts as a {@code not_sent_outstanding_limit} error, so an overloaded server cannot
 * make the generator quietly offer less. Requests of the warm-up are sent the same way but not
 * measured; requests still in flight when the drain time ends count as {@code timeout} errors.
 */
final class OpenLoopGenerator {
  static final String NOT_SENT = "not_sent_outstanding_limit";
  static final String TIMEOUT = "timeout";

  private final Transport transport;
  private final Ticker ticker;
  private final int maxOutstanding;

  OpenLoopGenerator(Transport transport, Ticker ticker, int maxOutstanding) {
    if (maxOutstanding < 1) {
      throw new IllegalArgumentException(
          "maxOutstanding: " + maxOutstanding + " (expected: >= 1)");
    }
    this.transport = transport;
    this.ticker = ticker;
    this.maxOutstanding = maxOutstanding;
  }

  /**
   * Runs warm-up then the measured window, both starting at {@code start} on the ticker's clock,
   * then waits up to {@code drainNanos} for stragglers.
   *
   * @return what the measured window saw
   */
  Measurements.Snapshot run(
      Arrival arrival, double ratePerSecond, long seed, long start, Window window, long drainNanos)
      throws InterruptedException {
    Measurements m = new Measurements();
    AtomicInteger outstanding = new AtomicInteger();
    AtomicInteger measuredOutstanding = new AtomicInteger();
    AtomicBoolean closed = new AtomicBoolean();
    long measureStart = start + window.warmupNanos();
    long measureEnd = measureStart + window.durationNanos();
    ArrivalSchedule schedule = arrival.schedule(ratePerSecond, seed, start);

    for (long intended = schedule.next(); intended < measureEnd; intended = schedule.next()) {
      ticker.parkUntil(intended);
      boolean measured = intended >= measureStart;
      if (measured) {
        m.recordScheduled(ticker.nanoTime() - intended);
      }
      if (outstanding.get() >= maxOutstanding) {
        if (measured) {
          m.recordError(NOT_SENT);
        }
        continue;
      }
      outstanding.incrementAndGet();
      if (measured) {
        measuredOutstanding.incrementAndGet();
      }
      long sentFor = intended;
      transport.send(
          error -> {
            long done = ticker.nanoTime();
            outstanding.decrementAndGet();
            if (closed.get()) {
              return;
            }
            if (error == null && done >= measureStart && done < measureEnd) {
              m.recordCompletionInWindow();
            }
            if (!measured) {
              return;
            }
            if (error == null) {
              m.recordSuccess(done - sentFor);
            } else {
              m.recordError(error, done - sentFor);
            }
            measuredOutstanding.decrementAndGet();
          });
    }
    awaitDrain(outstanding, Math.max(ticker.nanoTime(), measureEnd) + drainNanos);
    closed.set(true);
    for (int i = measuredOutstanding.get(); i > 0; i--) {
      m.recordError(TIMEOUT);
    }
    return m.snapshot();
  }

  private void awaitDrain(AtomicInteger outstanding, long deadline) throws InterruptedException {
    long step = 1_000_000L;
    long now;
    while (outstanding.get() > 0 && (now = ticker.nanoTime()) < deadline) {
      ticker.parkUntil(Math.min(now + step, deadline));
    }
  }
}
