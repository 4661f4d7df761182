package io.sluice.runtime;

import java.util.concurrent.CompletableFuture;

/**
 * The queue in front of one model version's backend instances: it takes requests, forms batches
 * and completes each request's future from an instance thread. {@link #enqueue} never blocks.
 */
public interface Scheduler extends AutoCloseable {

  /**
   * Queues a request. The future fails with a {@link StatusException}: UNAVAILABLE when the queue
   * is full, the request timed out in the queue, or the scheduler is closed; DEADLINE_EXCEEDED or
   * CANCELLED when the caller's deadline passed or it went away before the request was batched.
   */
  CompletableFuture<InferenceResponse> enqueue(InferenceRequest request);

  /** Requests queued and not yet handed to an instance. */
  int pendingCount();

  /**
   * Runs {@code callback} once, the next time no request is waiting ({@link #pendingCount} is
   * 0): at once on the caller's thread when none is waiting now, else on an instance thread
   * right after the queue empties, so it must be quick and must not block. Lets a caller that
   * yields to this scheduler's requests (the gateway's shadow runner) resume without polling.
   */
  void whenEmpty(Runnable callback);

  /**
   * Stops taking requests, lets the queued and running ones finish, then closes the backends.
   * Returns once every instance is idle.
   */
  @Override
  void close();
}
