package io.sluice.gateway.core;

import io.sluice.gateway.request.RequestContext;
import io.sluice.gateway.request.RequestedOutput;
import io.sluice.runtime.Tensor;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * An inference request decoded from either wire protocol.
 *
 * @param inputs the decoded inputs, in the order they were sent
 * @param outputs the requested outputs; empty means every output, raw
 * @param priority the {@code priority} parameter, 0 when absent
 * @param timeoutMicros the {@code timeout} parameter in microseconds, 0 when absent
 * @param context id, headers, parameters, deadline, cancellation and completion executor
 */
public record V2InferRequest(
    List<Tensor> inputs,
    List<RequestedOutput> outputs,
    int priority,
    long timeoutMicros,
    RequestContext context) {

  public V2InferRequest {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    context = context == null ? RequestContext.NONE : context;
  }

  /** A request with every output, no priority, timeout, deadline or cancellation. */
  public static V2InferRequest of(String id, List<Tensor> inputs) {
    return new V2InferRequest(inputs, List.of(), 0, 0, RequestContext.ofId(id));
  }

  /** The request id to echo: the client's, or the one the pipeline generated ("" before). */
  public String id() {
    return context.id();
  }

  /** The same request under {@code id}. */
  V2InferRequest withId(String id) {
    return new V2InferRequest(inputs, outputs, priority, timeoutMicros, context.withId(id));
  }

  /** Absolute deadline on {@link System#nanoTime()}, {@link Long#MAX_VALUE} for none. */
  public long deadlineNanos() {
    return context.deadlineNanos();
  }

  /** True once the caller has gone away. */
  public BooleanSupplier cancelled() {
    return context.cancelled();
  }
}
