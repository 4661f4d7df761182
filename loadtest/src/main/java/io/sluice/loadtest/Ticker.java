package io.sluice.loadtest;

import java.util.concurrent.locks.LockSupport;

/**
 * Monotonic time and waiting, passed in so the generators can be driven by a fake clock in tests.
 */
interface Ticker {

  /** Monotonic nanoseconds, as {@link System#nanoTime()}. */
  long nanoTime();

  /** Returns once {@link #nanoTime()} has reached {@code deadlineNanos}. */
  void parkUntil(long deadlineNanos) throws InterruptedException;

  static Ticker system() {
    return SystemTicker.INSTANCE;
  }

  /** The real clock: parks the thread; OS timer slack makes wake-ups late by tens of µs. */
  enum SystemTicker implements Ticker {
    INSTANCE;

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public void parkUntil(long deadlineNanos) throws InterruptedException {
      long remaining;
      while ((remaining = deadlineNanos - System.nanoTime()) > 0) {
        LockSupport.parkNanos(remaining);
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
      }
    }
  }
}
