package io.sluice.runtime;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Decides, for a free instance, what to send next: Triton's dynamic-batching rule as a pure
 * function of the queue and the time, so it is tested without threads.
 *
 * <p>The walk visits requests in queue order and first applies the queue policies to each one it
 * meets (cancelled, past its deadline, timed out: dropped or, for DELAY, moved back), which is
 * also where Triton applies them. It then adds requests while the batch stays within
 * {@code maxBatchSize} and every request has the first one's {@link BatchKey}; the first request
 * that does not fit ends the walk, so requests never overtake each other within a level. The
 * decision follows {@code DynamicBatchScheduler::GetDynamicBatch}: the largest preferred size met
 * is sent at once (as is the batch met just before growth would pass the largest preferred
 * size); a batch that cannot grow is sent; otherwise the batch waits until its oldest request
 * has waited {@code maxQueueDelay}, after which whatever formed is sent. A delay of 0 never waits.
 * With batching off, the first live request is sent alone.
 */
final class BatchFormer {
  private final boolean batching;
  private final int maxBatchSize;
  private final boolean[] preferred;
  private final int maxPreferred;
  private final long delayNanos;

  BatchFormer(BatcherConfig config) {
    this.batching = config.dynamicBatching() && config.maxBatchSize() > 0;
    this.maxBatchSize = config.maxBatchSize();
    this.preferred = new boolean[maxBatchSize + 1];
    int largest = 0;
    List<Integer> sizes =
        config.preferredBatchSizes().isEmpty()
            ? List.of(Math.max(maxBatchSize, 1))
            : config.preferredBatchSizes();
    for (int s : sizes) {
      if (s <= maxBatchSize) {
        preferred[s] = true;
      }
      largest = Math.max(largest, s);
    }
    this.maxPreferred = largest;
    this.delayNanos = TimeUnit.MICROSECONDS.toNanos(config.maxQueueDelayMicros());
  }

  /** What a free instance should do now. */
  record Decision(int count, long waitNanos) {
    static final Decision IDLE = new Decision(0, -1);

    static Decision send(int count) {
      return new Decision(count, 0);
    }

    static Decision waitFor(long nanos) {
      return new Decision(0, nanos);
    }

    /** Take the first {@link #count} requests of the queue and execute them. */
    boolean isSend() {
      return count > 0;
    }

    /** Nothing to send until a request arrives (or {@link #waitNanos} pass, when positive). */
    boolean isIdle() {
      return count == 0 && waitNanos < 0;
    }
  }

  /** A request the walk took out of the queue without running it. */
  record Dropped(PendingRequest request, Status status, String reason) {}

  /**
   * Walks {@code queue} at {@code now}.
   *
   * @param flush the scheduler is closing: send what formed without waiting for it to grow
   * @param dropped receives the requests the policies removed; the caller completes them
   */
  Decision decide(RequestQueue queue, long now, boolean flush, List<Dropped> dropped) {
    int count = 0;
    int size = 0;
    BatchKey key = null;
    long oldest = 0;
    int bestCount = 0;
    boolean cannotGrow = false;

    RequestQueue.Walk walk = queue.walk();
    while (walk.hasNext()) {
      PendingRequest p = walk.next();
      if (!live(queue, walk, p, now, dropped)) {
        continue;
      }
      if (!batching) {
        return Decision.send(1);
      }
      if (count == 0) {
        key = p.key;
        oldest = p.enqueueNanos;
      } else {
        if (size + p.batchSize > maxPreferred && bestCount == 0) {
          // Growth would pass every preferred size: what formed so far is the best batch.
          bestCount = count;
        }
        if (size + p.batchSize > maxBatchSize || !key.equals(p.key)) {
          cannotGrow = true;
          break;
        }
        if (p.enqueueNanos - oldest < 0) {
          oldest = p.enqueueNanos;
        }
      }
      count++;
      size += p.batchSize;
      if (preferred[size]) {
        bestCount = count;
      }
    }

    if (count == 0) {
      return Decision.IDLE;
    }
    boolean delayExceeded = flush || (delayNanos != 0 && now - oldest >= delayNanos);
    if (bestCount != 0 && !delayExceeded) {
      return Decision.send(bestCount);
    }
    if (cannotGrow || size >= maxPreferred || delayExceeded || delayNanos == 0) {
      return Decision.send(count);
    }
    return Decision.waitFor(oldest + delayNanos - now);
  }

  /** Applies the queue policies to {@code p}; false when it left the queue or moved back. */
  private static boolean live(
      RequestQueue queue, RequestQueue.Walk walk, PendingRequest p, long now,
      List<Dropped> dropped) {
    if (cancelled(p)) {
      walk.remove();
      dropped.add(new Dropped(p, Status.of(Status.Code.CANCELLED,
          "request cancelled by the client before it was batched"), "cancelled"));
      return false;
    }
    if (PendingRequest.passed(p.request.deadlineNanos(), now)) {
      walk.remove();
      dropped.add(new Dropped(p, Status.of(Status.Code.DEADLINE_EXCEEDED,
          "deadline exceeded after " + micros(now - p.enqueueNanos)
              + " µs in the queue, before the request was batched"), "deadline"));
      return false;
    }
    if (!p.delayed && PendingRequest.passed(p.timeoutAtNanos, now)) {
      if (queue.policy(p.level).timeoutAction() == QueuePolicy.TimeoutAction.DELAY) {
        walk.delay();
      } else {
        walk.remove();
        dropped.add(new Dropped(p, Status.unavailable(
            "request timed out in the queue after " + micros(now - p.enqueueNanos)
                + " µs (timeout: " + micros(p.timeoutAtNanos - p.enqueueNanos) + " µs)"),
            "timeout"));
      }
      return false;
    }
    return true;
  }

  private static boolean cancelled(PendingRequest p) {
    try {
      return p.request.cancelled().getAsBoolean();
    } catch (RuntimeException e) {
      // A caller whose cancellation check itself fails has no use for an answer either.
      return true;
    }
  }

  private static long micros(long nanos) {
    return TimeUnit.NANOSECONDS.toMicros(nanos);
  }
}
