package io.sluice.gateway.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.sluice.gateway.core.V2InferResponse;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Puts {@code x-sluice-route} (stable, canary, pinned) in the response headers of a {@code
 * ModelInfer} call. The route is known only when the answer is, and grpc-java sends the headers
 * with the first message: {@link InferenceService} writes the route into a holder this
 * interceptor put in the call's {@link Context}, and the wrapped call adds it as the headers go.
 */
final class RouteMetadataInterceptor implements ServerInterceptor {
  static final Context.Key<AtomicReference<String>> ROUTE = Context.key("sluice-route");
  static final Metadata.Key<String> ROUTE_KEY =
      Metadata.Key.of(V2InferResponse.ROUTE_HEADER, Metadata.ASCII_STRING_MARSHALLER);
  private static final String MODEL_INFER =
      GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName();

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata metadata, ServerCallHandler<Q, R> next) {
    if (!MODEL_INFER.equals(call.getMethodDescriptor().getFullMethodName())) {
      return next.startCall(call, metadata);
    }
    AtomicReference<String> route = new AtomicReference<>();
    ServerCall<Q, R> withRoute = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void sendHeaders(Metadata headers) {
        String r = route.get();
        if (r != null) {
          headers.put(ROUTE_KEY, r);
        }
        super.sendHeaders(headers);
      }
    };
    return Contexts.interceptCall(
        Context.current().withValue(ROUTE, route), withRoute, metadata, next);
  }
}
