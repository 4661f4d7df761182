package io.sluice.gateway.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process's admission for graceful shutdown: counts the inference requests admitted and not
 * yet answered, and once {@link #beginDrain()} has been called admits nothing more, completing
 * its drain future when the last admitted request is answered.
 *
 * <p>The count and the draining flag share one {@link AtomicLong} (the flag is the sign bit), so
 * {@link #tryEnter()} is one compare-and-set and a request can never slip in after the count was
 * seen at zero. Front ends read {@link #isDraining()} to close keep-alive connections after
 * their current response.
 */
public final class DrainGate {
  private static final long DRAINING = Long.MIN_VALUE;

  private final AtomicLong state = new AtomicLong();
  private final CompletableFuture<Void> drained = new CompletableFuture<>();

  /** Admits one request; false once draining has begun (the caller answers UNAVAILABLE). */
  public boolean tryEnter() {
    while (true) {
      long s = state.get();
      if ((s & DRAINING) != 0) {
        return false;
      }
      if (state.compareAndSet(s, s + 1)) {
        return true;
      }
    }
  }

  /** The request admitted by {@link #tryEnter()} has been answered. */
  public void exit() {
    long s = state.decrementAndGet();
    if (s == DRAINING) {
      drained.complete(null);
    }
  }

  /**
   * Admits nothing more; the future completes when every admitted request has been answered
   * (at once if none is in flight). Idempotent.
   */
  public CompletableFuture<Void> beginDrain() {
    long s = state.getAndUpdate(v -> v | DRAINING);
    if ((s & ~DRAINING) == 0) {
      drained.complete(null);
    }
    return drained;
  }

  public boolean isDraining() {
    return (state.get() & DRAINING) != 0;
  }

  /** Requests admitted and not yet answered. */
  public long inFlight() {
    return state.get() & ~DRAINING;
  }
}
