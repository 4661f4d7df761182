package io.sluice.runtime;

import java.util.concurrent.CompletableFuture;

/**
 * A request while it waits in a {@link DynamicBatchScheduler}'s queue: the request, its future,
 * and everything the batcher decides on, computed once at enqueue so that walking the queue
 * reads fields instead of recomputing shapes and policies.
 *
 * <p>The mutable fields are written only under the scheduler's lock; after the request leaves
 * the queue it belongs to exactly one instance thread.
 */
final class PendingRequest {
  /** The sentinel of {@link #timeoutAtNanos} and of a request deadline: none. */
  static final long NONE = Long.MAX_VALUE;

  final InferenceRequest request;
  final CompletableFuture<InferenceResponse> future;
  /** Priority level, 1 (highest) .. levels. */
  final int level;
  /** Batch items this request adds: its dim 0 on a batching model, else 1. */
  final int batchSize;
  /** What must be equal for two requests to share a batch; null when batching is off. */
  final BatchKey key;
  final long enqueueNanos;
  /** When its queue timeout expires on the scheduler's ticker, or {@link #NONE}. */
  final long timeoutAtNanos;

  /** Arrival order, for {@link CompletionSequencer}; set once, under the lock, at enqueue. */
  long sequence;

  // @GuardedBy("lock")
  /** Moved behind its level's waiting requests by a DELAY timeout. */
  boolean delayed;

  PendingRequest(
      InferenceRequest request,
      CompletableFuture<InferenceResponse> future,
      int level,
      int batchSize,
      BatchKey key,
      long enqueueNanos,
      long timeoutAtNanos) {
    this.request = request;
    this.future = future;
    this.level = level;
    this.batchSize = batchSize;
    this.key = key;
    this.enqueueNanos = enqueueNanos;
    this.timeoutAtNanos = timeoutAtNanos;
  }

  /** Whether {@code deadline} (absolute, on the ticker) has passed at {@code now}. */
  static boolean passed(long deadline, long now) {
    // nanoTime values may be negative, so compare by difference; NONE never passes.
    return deadline != NONE && now - deadline >= 0;
  }
}
