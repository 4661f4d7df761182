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
   * Stops taking requests, lets the queued and running ones finish, then closes the backends.
   * Returns once every instance is idle.
   */
  @Override
  void close();
}
