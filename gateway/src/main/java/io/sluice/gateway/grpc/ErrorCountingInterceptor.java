package io.sluice.gateway.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.sluice.gateway.core.ServingApi;
import io.sluice.gateway.request.ContextHeaders;
import io.sluice.gateway.request.TraceParent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sees every call that closes with a non-OK status, whichever handler closed it, so the gRPC
 * front end reports its rejections in one place: it counts the error, logs it once (a server
 * fault, INTERNAL, as a warning with its cause; anything else as a debug line), and when the
 * caller sent a valid {@code traceparent} it names the trace id in that line (text and a JSON
 * field) and sends the trace context back as a {@code traceparent} trailer. Outermost of the
 * interceptors, so a call an inner one refused is seen too.
 */
final class ErrorCountingInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(ErrorCountingInterceptor.class);
  static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of(ContextHeaders.TRACEPARENT, Metadata.ASCII_STRING_MARSHALLER);

  private final ServingApi api;

  ErrorCountingInterceptor(ServingApi api) {
    this.api = api;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    return next.startCall(
        new SimpleForwardingServerCall<Q, R>(call) {
          @Override
          public void close(io.grpc.Status status, Metadata trailers) {
            if (!status.isOk()) {
              failed(call.getMethodDescriptor().getFullMethodName(), status, headers, trailers);
            }
            super.close(status, trailers);
          }
        },
        headers);
  }

  private void failed(String method, io.grpc.Status status, Metadata headers, Metadata trailers) {
    api.recordError("grpc", status.getCode().name());
    // Only failures read the trace context.
    TraceParent trace = TraceParent.parse(headers.get(TRACEPARENT));
    String traceId = trace == null ? "none" : trace.traceId();
    if (trace != null) {
      trailers.put(TRACEPARENT, trace.header());
    }
    if (status.getCode() == io.grpc.Status.Code.INTERNAL) {
      log.atWarn().addKeyValue("trace_id", traceId).setCause(status.getCause())
          .log("gRPC {} failed (trace_id={}): {}", method, traceId, status.getDescription());
    } else {
      log.atDebug().addKeyValue("trace_id", traceId)
          .log("gRPC {} answered {} (trace_id={}): {}", method, status.getCode(), traceId,
              status.getDescription());
    }
  }
}
