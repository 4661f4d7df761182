package io.sluice.gateway.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.sluice.gateway.core.ServingApi;

/**
 * Counts every call that closes with a non-OK status, whichever handler closed it, so the gRPC
 * front end reports its rejections in one place.
 */
final class ErrorCountingInterceptor implements ServerInterceptor {
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
              api.recordError("grpc", status.getCode().name());
            }
            super.close(status, trailers);
          }
        },
        headers);
  }
}
