package io.sluice.gateway.grpc;

import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.sluice.runtime.SafeText;
import io.sluice.runtime.Status;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one place where a Sluice {@link Status} becomes a gRPC {@link io.grpc.Status}. A {@link
 * io.sluice.runtime.StatusException} anywhere in a throwable's cause chain keeps its code and
 * description; any other throwable is INTERNAL with a generic description ({@link
 * Status#fromThrowable}), kept as the cause, which {@link ErrorCountingInterceptor} logs once when
 * the call closes (a stream's per-message failure by {@link StreamInferCall}). Every description passes through
 * {@link SafeText#clean}, so no class name, URL or server path reaches a client.
 */
final class GrpcStatuses {
  static final Metadata.Key<String> RETRY_PUSHBACK_MS =
      Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> RETRY_AFTER =
      Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);

  private GrpcStatuses() {}

  /** The gRPC status for a failure, with the Sluice description and cause. */
  static io.grpc.Status toGrpc(Throwable failure) {
    return toGrpc(Status.fromThrowable(unwrap(failure)));
  }

  static io.grpc.Status toGrpc(Status status) {
    return code(status.code())
        .withDescription(SafeText.clean(status.description()))
        .withCause(status.cause());
  }

  /**
   * The exception a handler passes to {@code StreamObserver.onError}. A retry hint (load
   * shedding) travels as the {@code grpc-retry-pushback-ms} trailer, which grpc's own retry
   * policy honours, and as {@code retry-after} in seconds, as HTTP says it.
   */
  static StatusRuntimeException toException(Throwable failure) {
    Status status = Status.fromThrowable(unwrap(failure));
    if (status.retryAfterMillis() <= 0) {
      return toGrpc(failure).asRuntimeException();
    }
    return toGrpc(status).asRuntimeException(trailers(status));
  }

  /** The trailers that carry {@code status}'s retry hint (it must have one). */
  static Metadata trailers(Status status) {
    Metadata trailers = new Metadata();
    trailers.put(RETRY_PUSHBACK_MS, Long.toString(status.retryAfterMillis()));
    trailers.put(RETRY_AFTER, Long.toString(Math.max(1, (status.retryAfterMillis() + 999) / 1000)));
    return trailers;
  }

  /** The failure itself, not the wrapper a future puts around it. */
  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static io.grpc.Status code(Status.Code code) {
    return switch (code) {
      case INVALID_ARGUMENT -> io.grpc.Status.INVALID_ARGUMENT;
      case NOT_FOUND -> io.grpc.Status.NOT_FOUND;
      case UNAVAILABLE -> io.grpc.Status.UNAVAILABLE;
      case RESOURCE_EXHAUSTED -> io.grpc.Status.RESOURCE_EXHAUSTED;
      case UNIMPLEMENTED -> io.grpc.Status.UNIMPLEMENTED;
      case DEADLINE_EXCEEDED -> io.grpc.Status.DEADLINE_EXCEEDED;
      case CANCELLED -> io.grpc.Status.CANCELLED;
      case INTERNAL -> io.grpc.Status.INTERNAL;
    };
  }
}
