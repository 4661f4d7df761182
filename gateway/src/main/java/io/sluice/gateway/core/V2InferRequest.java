package io.sluice.gateway.core;

import io.sluice.runtime.Tensor;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * An inference request decoded from either wire protocol.
 *
 * @param id the request id to echo, or "" when none was given
 * @param inputs the decoded inputs, in the order they were sent
 * @param outputs the requested outputs; empty means every output, raw
 * @param priority the {@code priority} parameter, 0 when absent
 * @param timeoutMicros the {@code timeout} parameter in microseconds, 0 when absent
 * @param deadlineNanos absolute deadline on {@link System#nanoTime()}, {@link Long#MAX_VALUE} for
 *     none (gRPC deadlines)
 * @param cancelled true once the caller has gone away
 */
public record V2InferRequest(
    String id,
    List<Tensor> inputs,
    List<RequestedOutput> outputs,
    int priority,
    long timeoutMicros,
    long deadlineNanos,
    BooleanSupplier cancelled) {

  public V2InferRequest {
    id = id == null ? "" : id;
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    if (cancelled == null) {
      cancelled = () -> false;
    }
  }

  /** A request with every output, no priority, timeout, deadline or cancellation. */
  public static V2InferRequest of(String id, List<Tensor> inputs) {
    return new V2InferRequest(id, inputs, List.of(), 0, 0, Long.MAX_VALUE, null);
  }
}
