package io.sluice.gateway.request;

import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * What the gateway knows about one inference request besides its tensors, filled in the same way
 * by both decoders: the V2 {@code id}, the headers (HTTP) or metadata (gRPC) it is configured to
 * read, the request's parameters, the deadline, whether the caller went away, and where its
 * completion runs. Version selection (canary, pinning, sticky keys) reads it; so do inference
 * listeners.
 *
 * @param id the request's V2 {@code id}; "" when the client sent none (or an empty one), which
 *     {@code core.InferencePipeline} replaces with a generated id before anything reads it
 * @param headers the configured headers present on the request, keys in lower case
 * @param parameters the request-level V2 parameters as strings (bool and numbers in their JSON
 *     form); empty when none
 * @param deadlineNanos absolute deadline on {@link System#nanoTime()}, {@link Long#MAX_VALUE} for
 *     none (gRPC deadlines)
 * @param cancelled true once the caller has gone away
 * @param completion where the request's completion runs (shaping, listeners, encoding): the
 *     channel's event loop, so that an engine's instance thread only runs models
 */
public record RequestContext(
    String id,
    Map<String, String> headers,
    Map<String, String> parameters,
    long deadlineNanos,
    BooleanSupplier cancelled,
    Executor completion) {

  private static final BooleanSupplier NEVER = () -> false;
  private static final Executor DIRECT = Runnable::run;

  /** No id, header, parameter, deadline or cancellation; completes on the calling thread. */
  public static final RequestContext NONE =
      new RequestContext("", Map.of(), Map.of(), Long.MAX_VALUE, NEVER, DIRECT);

  /**
   * Not a request: a metadata, config or statistics query asking which version serves. A
   * traffic policy answers it with its stable version, never a random arm or a shadow.
   */
  public static final RequestContext QUERY =
      new RequestContext("", Map.of(), Map.of(), Long.MAX_VALUE, NEVER, DIRECT);

  public RequestContext {
    id = id == null ? "" : id;
    headers = headers == null || headers.isEmpty() ? Map.of() : Map.copyOf(headers);
    parameters = parameters == null || parameters.isEmpty() ? Map.of() : Map.copyOf(parameters);
    cancelled = cancelled == null ? NEVER : cancelled;
    completion = completion == null ? DIRECT : completion;
  }

  /** A context with only an id. */
  public static RequestContext ofId(String id) {
    return new RequestContext(id, Map.of(), Map.of(), Long.MAX_VALUE, NEVER, DIRECT);
  }

  /** The same context under another id (a generated one, see {@link RequestIds}). */
  public RequestContext withId(String newId) {
    return new RequestContext(newId, headers, parameters, deadlineNanos, cancelled, completion);
  }

  /** A header's value, or null when absent or not configured to be read. */
  public String header(String lowerCaseName) {
    return headers.get(lowerCaseName);
  }

  /** The W3C trace context ({@code traceparent}), or null. */
  public String traceParent() {
    return headers.get(ContextHeaders.TRACEPARENT);
  }
}
