package io.sluice.gateway.grpc;

import io.grpc.StatusRuntimeException;
import io.sluice.runtime.Status;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a Sluice {@link Status} becomes a gRPC {@link io.grpc.Status}. A {@link
 * io.sluice.runtime.StatusException} anywhere in a throwable's cause chain keeps its code and
 * description; any other throwable is INTERNAL, and is logged here because the client only sees
 * its message.
 */
final class GrpcStatuses {
  private static final Logger logger = LoggerFactory.getLogger(GrpcStatuses.class);

  private GrpcStatuses() {}

  /** The gRPC status for a failure, with the Sluice description and cause. */
  static io.grpc.Status toGrpc(Throwable failure) {
    Throwable cause = unwrap(failure);
    Status status = Status.fromThrowable(cause);
    if (status.cause() == cause && cause.getMessage() == null) {
      // A bare NullPointerException would otherwise reach the client as "null".
      status = Status.internal(cause.getClass().getName()).withCause(cause);
    }
    if (status.code() == Status.Code.INTERNAL) {
      logger.warn("gRPC call failed: {}", status.description(), status.cause());
    }
    return toGrpc(status);
  }

  static io.grpc.Status toGrpc(Status status) {
    return code(status.code())
        .withDescription(status.description())
        .withCause(status.cause());
  }

  /** The exception a handler passes to {@code StreamObserver.onError}. */
  static StatusRuntimeException toException(Throwable failure) {
    return toGrpc(failure).asRuntimeException();
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
