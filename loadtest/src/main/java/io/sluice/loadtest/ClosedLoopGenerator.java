package io.sluice.loadtest;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code concurrency} lanes, each sending its next request as soon as the previous one completes
 * ("c=1" is one lane). Latency is from the actual send, which is right for a closed loop: it
 * answers "how long does one call take" and "how much can N callers push", not "what does a user
 * arriving at a given rate see" (use {@link OpenLoopGenerator} for that).
 */
final class ClosedLoopGenerator {
  private static final Executor RETRY = CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS);

  private final Transport transport;
  private final Ticker ticker;
  private final int concurrency;

  ClosedLoopGenerator(Transport transport, Ticker ticker, int concurrency) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency: " + concurrency + " (expected: >= 1)");
    }
    this.transport = transport;
    this.ticker = ticker;
    this.concurrency = concurrency;
  }

  /** Runs from {@code start} (on the ticker's clock) through warm-up and the measured window. */
  Measurements.Snapshot run(long start, Window window, long drainNanos)
      throws InterruptedException {
    ticker.parkUntil(start);
    Lanes lanes = new Lanes(start, window);
    for (int i = 0; i < concurrency; i++) {
      lanes.sendNext();
    }
    ticker.parkUntil(lanes.measureEnd);
    long deadline = lanes.measureEnd + drainNanos;
    long now;
    while (lanes.outstanding.get() > 0 && (now = ticker.nanoTime()) < deadline) {
      ticker.parkUntil(Math.min(now + 1_000_000L, deadline));
    }
    return lanes.measurements.snapshot();
  }

  /** The shared state of the lanes; completions run on transport threads. */
  private final class Lanes {
    final Measurements measurements = new Measurements();
    final AtomicInteger outstanding = new AtomicInteger();
    final long measureStart;
    final long measureEnd;

    Lanes(long start, Window window) {
      measureStart = start + window.warmupNanos();
      measureEnd = measureStart + window.durationNanos();
    }

    void sendNext() {
      long sentAt = ticker.nanoTime();
      if (sentAt >= measureEnd) {
        return;
      }
      boolean measured = sentAt >= measureStart;
      if (measured) {
        measurements.recordScheduled(0);
      }
      outstanding.incrementAndGet();
      transport.send(
          error -> {
            long done = ticker.nanoTime();
            if (error == null && done >= measureStart && done < measureEnd) {
              measurements.recordCompletionInWindow();
            }
            if (measured) {
              if (error == null) {
                measurements.recordSuccess(done - sentAt);
              } else {
                measurements.recordError(error, done - sentAt);
              }
            }
            outstanding.decrementAndGet();
            if (error == null) {
              sendNext();
            } else {
              // A transport may fail inline; a hop keeps a failing lane from recursing or spinning.
              RETRY.execute(this::sendNext);
            }
          });
    }
  }
}
