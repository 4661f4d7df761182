package io.sluice.runtime;

import java.util.HashMap;
import java.util.Map;

/**
 * Completes requests' futures, in arrival order when the model asks for
 * {@code preserve_ordering}. With ordering, a completion that arrives early is parked under its
 * request's sequence number and runs once every earlier request has completed; the thread that
 * completes the gap drains everything that became runnable (one drainer at a time, as in
 * grpc-java's {@code SynchronizationContext}), and completions run outside the lock so that a
 * callback which enqueues again cannot deadlock against it. Every request that was given a
 * sequence number must pass through here exactly once, failures and drops included, or later
 * responses would wait forever.
 */
final class CompletionSequencer {
  private final boolean ordered;
  private final Object lock = new Object();

  // @GuardedBy("lock")
  private final Map<Long, Runnable> parked = new HashMap<>();
  // @GuardedBy("lock")
  private long next;
  // @GuardedBy("lock")
  private boolean draining;

  CompletionSequencer(boolean ordered) {
    this.ordered = ordered;
  }

  /** Runs {@code completion} for the request with {@code sequence}, now or once it is its turn. */
  void complete(long sequence, Runnable completion) {
    if (!ordered) {
      completion.run();
      return;
    }
    synchronized (lock) {
      parked.put(sequence, completion);
      if (draining) {
        return;
      }
      draining = true;
    }
    while (true) {
      Runnable r;
      synchronized (lock) {
        r = parked.remove(next);
        if (r == null) {
          draining = false;
          return;
        }
        next++;
      }
      try {
        r.run();
      } catch (RuntimeException e) {
        // A completion only completes a future; keep draining whatever it threw.
      }
    }
  }

  /** Completions parked behind an earlier request (for tests). */
  int parkedCount() {
    synchronized (lock) {
      return parked.size();
    }
  }
}
