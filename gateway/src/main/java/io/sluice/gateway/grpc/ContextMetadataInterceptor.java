package io.sluice.gateway.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.sluice.gateway.request.ContextHeaders;
import java.util.HashMap;
import java.util.Map;

/**
 * Copies the configured metadata keys of a call into the gRPC {@link Context}, where {@link
 * InferenceService} puts them in the request context. A call with none of them gets no new
 * context.
 */
final class ContextMetadataInterceptor implements ServerInterceptor {
  /** The configured metadata of the current call; empty when it had none. */
  static final Context.Key<Map<String, String>> HEADERS = Context.keyWithDefault(
      "sluice-context-headers", Map.of());

  private final ContextHeaders headers;
  private final Map<String, Metadata.Key<String>> keys = new HashMap<>();

  ContextMetadataInterceptor(ContextHeaders headers) {
    this.headers = headers;
    for (String name : headers.names()) {
      keys.put(name, Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
    }
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata metadata, ServerCallHandler<Q, R> next) {
    Map<String, String> found = headers.read(name -> metadata.get(keys.get(name)));
    if (found == null) {
      return next.startCall(call, metadata);
    }
    return Contexts.interceptCall(
        Context.current().withValue(HEADERS, Map.copyOf(found)), call, metadata, next);
  }
}
