package io.sluice.runtime;

import java.util.Objects;

/**
 * The one outcome type that crosses every boundary in Sluice: a code, a description a user can act
 * on, and an optional cause. The gateway turns it into an HTTP status and a gRPC status, each in
 * one place.
 */
public final class Status {

  /** What went wrong, independent of the wire protocol. */
  public enum Code {
    /** Malformed or inconsistent input: HTTP 400, gRPC INVALID_ARGUMENT. */
    INVALID_ARGUMENT,
    /** Unknown model, version or route: HTTP 404, gRPC NOT_FOUND. */
    NOT_FOUND,
    /** Not ready, queue full, timed out in the queue, shedding: HTTP 503, gRPC UNAVAILABLE. */
    UNAVAILABLE,
    /** A body or message over the configured limit: HTTP 413, gRPC RESOURCE_EXHAUSTED. */
    RESOURCE_EXHAUSTED,
    /** The feature is not implemented: HTTP 501, gRPC UNIMPLEMENTED. */
    UNIMPLEMENTED,
    /** The caller's deadline passed before the work was done: HTTP 503, gRPC DEADLINE_EXCEEDED. */
    DEADLINE_EXCEEDED,
    /** The caller went away: gRPC CANCELLED. */
    CANCELLED,
    /** A backend or server fault: HTTP 500, gRPC INTERNAL. */
    INTERNAL
  }

  private final Code code;
  private final String description;
  private final Throwable cause;
  private final long retryAfterMillis;

  private Status(Code code, String description, Throwable cause, long retryAfterMillis) {
    this.code = Objects.requireNonNull(code, "code");
    this.description = description == null ? "" : description;
    this.cause = cause;
    this.retryAfterMillis = retryAfterMillis;
  }

  public static Status of(Code code, String description) {
    return new Status(code, description, null, 0);
  }

  public static Status invalidArgument(String description) {
    return of(Code.INVALID_ARGUMENT, description);
  }

  public static Status notFound(String description) {
    return of(Code.NOT_FOUND, description);
  }

  public static Status unavailable(String description) {
    return of(Code.UNAVAILABLE, description);
  }

  public static Status unimplemented(String description) {
    return of(Code.UNIMPLEMENTED, description);
  }

  public static Status internal(String description) {
    return of(Code.INTERNAL, description);
  }

  /**
   * UNAVAILABLE because the server sheds load, with a hint of when to try again (HTTP {@code
   * Retry-After}, gRPC {@code grpc-retry-pushback-ms}).
   */
  public static Status overloaded(String description, long retryAfterMillis) {
    return new Status(Code.UNAVAILABLE, description, null, Math.max(1, retryAfterMillis));
  }

  public Status withCause(Throwable cause) {
    return new Status(code, description, cause, retryAfterMillis);
  }

  /** When the client may try again, in milliseconds; 0 when the status says nothing. */
  public long retryAfterMillis() {
    return retryAfterMillis;
  }

  public Code code() {
    return code;
  }

  public String description() {
    return description;
  }

  public Throwable cause() {
    return cause;
  }

  public StatusException asException() {
    return new StatusException(this);
  }

  /** The description of every fault that is not a {@link StatusException}. */
  public static final String INTERNAL_ERROR = "internal error (the server log has the details)";

  /**
   * The status a throwable stands for: its own if it is (or wraps) a {@link StatusException},
   * otherwise {@link Code#INTERNAL} with the generic {@link #INTERNAL_ERROR} and the throwable as
   * its cause. An exception's own message is never a client's answer: it is a library's text
   * (class names, paths, URLs), so whoever answers with this status logs the cause once.
   */
  public static Status fromThrowable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof StatusException) {
        return ((StatusException) c).status();
      }
    }
    return internal(INTERNAL_ERROR).withCause(t);
  }

  /** True when this status is {@link #fromThrowable}'s answer for a non-status exception. */
  public boolean isUnexpected() {
    return code == Code.INTERNAL && INTERNAL_ERROR.equals(description) && cause != null
        && !(cause instanceof StatusException);
  }

  @Override
  public String toString() {
    return code + ": " + description;
  }
}
