package io.sluice.runtime;

import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * One request as the scheduler sees it.
 *
 * @param inputs one tensor per model input; with batching on, each carries the batch dimension
 * @param requestedOutputs outputs to return; empty means all
 * @param priority 0 for the model's default level, else 1 (highest) .. priority_levels
 * @param timeoutMicros the request's own queue timeout, 0 for none (applied only where the queue
 *     policy allows an override, and only to shorten it)
 * @param deadlineNanos absolute deadline on the scheduler's ticker, {@link Long#MAX_VALUE} for none
 * @param cancelled true once the caller has gone away
 */
public record InferenceRequest(
    List<Tensor> inputs,
    Set<String> requestedOutputs,
    int priority,
    long timeoutMicros,
    long deadlineNanos,
    BooleanSupplier cancelled) {

  private static final BooleanSupplier NEVER = () -> false;

  public InferenceRequest {
    inputs = List.copyOf(inputs);
    requestedOutputs = Set.copyOf(requestedOutputs);
    if (cancelled == null) {
      cancelled = NEVER;
    }
  }

  /** A request with no priority, timeout, deadline or cancellation. */
  public static InferenceRequest of(List<Tensor> inputs) {
    return new InferenceRequest(inputs, Set.of(), 0, 0, Long.MAX_VALUE, NEVER);
  }
}
