package io.sluice.loadtest;

import io.sluice.runtime.InferenceRequest;
import io.sluice.runtime.Scheduler;
import io.sluice.runtime.StatusException;
import java.util.concurrent.CompletionException;

/**
 * B0q's "transport": the request goes straight into the runtime's {@link Scheduler} (the dynamic
 * batcher in front of the backend), with no network and no codec, and completes when the
 * scheduler completes its future. The request is built once, its input wrapping a read-only heap
 * buffer as the gRPC decoder hands {@code raw_input_contents} to the scheduler.
 *
 * <p>Owns the scheduler: closing this closes it, and with it the backend.
 */
final class InProcessTransport implements Transport {
  private final Scheduler scheduler;
  private final InferenceRequest request;
  private final String description;

  InProcessTransport(Scheduler scheduler, InferenceRequest request, String description) {
    this.scheduler = scheduler;
    this.request = request;
    this.description = description;
  }

  @Override
  public void send(Completion completion) {
    scheduler
        .enqueue(request)
        .whenComplete((response, error) -> completion.complete(error == null ? null : kind(error)));
  }

  /** {@code status_UNAVAILABLE} and the like, as the network transports name a failure. */
  static String kind(Throwable error) {
    Throwable e = error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
    return e instanceof StatusException s
        ? "status_" + s.status().code()
        : e.getClass().getSimpleName();
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    scheduler.close();
  }
}
