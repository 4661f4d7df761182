package io.sluice.gateway.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.sluice.gateway.request.ContextHeaders;
import java.util.HashMap;
import java.util.List;
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

  private final List<String> names;
  private final List<Metadata.Key<String>> keys;

  ContextMetadataInterceptor(ContextHeaders headers) {
    this.names = headers.names();
    this.keys = names.stream()
        .map(n -> Metadata.Key.of(n, Metadata.ASCII_STRING_MARSHALLER))
        .toList();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata metadata, ServerCallHandler<Q, R> next) {
    Map<String, String> found = null;
    for (int i = 0, n = keys.size(); i < n; i++) {
      String value = metadata.get(keys.get(i));
      if (value != null) {
        if (found == null) {
          found = new HashMap<>();
        }
        found.put(names.get(i), value);
      }
    }
    if (found == null) {
      return next.startCall(call, metadata);
    }
    return Contexts.interceptCall(
        Context.current().withValue(HEADERS, Map.copyOf(found)), call, metadata, next);
  }
}
