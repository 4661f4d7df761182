package io.sluice.runtime;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The waiting requests of one scheduler, in the order the batcher visits them: by priority level
 * (1 first), and within a level first the requests in arrival order, then those a DELAY timeout
 * moved behind them (Triton's {@code PriorityQueue} with its per-level delayed queue). Each level
 * has its own cap from its {@link QueuePolicy}.
 *
 * <p>Not thread-safe: the owning scheduler guards it with its lock. The size is kept as a
 * running count so {@link #size()} is O(1). The batcher looks at the queue through a {@link Walk},
 * which can drop the request it stands on or move it behind its level; a batch that is sent is
 * always a prefix of the walk order, so it leaves through {@link #poll()}.
 */
final class RequestQueue {
  private final Level[] levels;
  private int size;
  /** Batch items waiting (the sum of {@link PendingRequest#batchSize}), for load shedding. */
  private long items;

  /**
   * @param levelCount number of priority levels (at least 1)
   * @param defaultPolicy the policy of a level not in {@code policies}
   * @param policies per-level overrides, keyed by level (1-based)
   * @param globalMaxQueueSize the cap of a level whose policy says 0
   */
  RequestQueue(
      int levelCount, QueuePolicy defaultPolicy, Map<Integer, QueuePolicy> policies,
      int globalMaxQueueSize) {
    levels = new Level[levelCount];
    for (int i = 0; i < levelCount; i++) {
      QueuePolicy policy = policies.getOrDefault(i + 1, defaultPolicy);
      int cap = policy.maxQueueSize() == 0 ? globalMaxQueueSize : policy.maxQueueSize();
      levels[i] = new Level(policy, cap);
    }
  }

  /** The queue policy of {@code level} (1-based). */
  QueuePolicy policy(int level) {
    return levels[level - 1].policy;
  }

  /** The cap on waiting requests at {@code level} (1-based). */
  int capacity(int level) {
    return levels[level - 1].capacity;
  }

  /** Adds a request at the back of its level; false when the level is full. */
  boolean offer(PendingRequest p) {
    Level l = levels[p.level - 1];
    if (l.count() >= l.capacity) {
      return false;
    }
    l.waiting.addLast(p);
    size++;
    items += p.batchSize;
    return true;
  }

  /** Removes and returns the first request in walk order, or null. */
  PendingRequest poll() {
    for (Level l : levels) {
      PendingRequest p = l.waiting.pollFirst();
      if (p == null) {
        p = l.delayed.pollFirst();
      }
      if (p != null) {
        size--;
        items -= p.batchSize;
        return p;
      }
    }
    return null;
  }

  int size() {
    return size;
  }

  /** The batch items waiting at every level. */
  long items() {
    return items;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** A fresh walk from the front of the queue. */
  Walk walk() {
    return new Walk();
  }

  /**
   * One pass over the queue in batching order. {@link #remove} and {@link #delay} act on the
   * request last returned by {@link #next}.
   */
  final class Walk {
    private int level;
    private boolean inDelayed;
    private Iterator<PendingRequest> it = levels[0].waiting.iterator();
    private PendingRequest current;

    boolean hasNext() {
      while (!it.hasNext()) {
        if (!inDelayed) {
          inDelayed = true;
          it = levels[level].delayed.iterator();
        } else if (level + 1 < levels.length) {
          level++;
          inDelayed = false;
          it = levels[level].waiting.iterator();
        } else {
          return false;
        }
      }
      return true;
    }

    PendingRequest next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      current = it.next();
      return current;
    }

    /** Takes the current request out of the queue (it is being dropped). */
    void remove() {
      it.remove();
      size--;
      items -= current.batchSize;
      current = null;
    }

    /**
     * Moves the current request behind every request of its level that has not timed out; the
     * walk meets it again there.
     */
    void delay() {
      if (inDelayed) {
        throw new IllegalStateException("already delayed");
      }
      PendingRequest p = current;
      it.remove();
      p.delayed = true;
      levels[level].delayed.addLast(p);
      current = null;
    }
  }

  private static final class Level {
    final QueuePolicy policy;
    final int capacity;
    final ArrayDeque<PendingRequest> waiting = new ArrayDeque<>();
    final ArrayDeque<PendingRequest> delayed = new ArrayDeque<>();

    Level(QueuePolicy policy, int capacity) {
      this.policy = policy;
      this.capacity = capacity;
    }

    int count() {
      return waiting.size() + delayed.size();
    }
  }
}
