package io.sluice.gateway.http;

import io.sluice.runtime.Status;

/**
 * The cause in a request's failed decoder result when the front door refused it for overload:
 * {@link RequestDispatcher} answers the status (503 with {@code Retry-After}) in request order.
 * Thrown by nobody, so it carries no stack trace.
 */
final class AdmissionRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Status status;
  private final boolean closing;
  private final long seenAt;

  /**
   * @param closing the answer closes the connection: the client may never send the body the
   *     decoder still expects ({@code Expect: 100-continue} answered with a refusal)
   * @param seenAt the front door's {@code refusalClock()} when the head was seen, for the
   *     refusal's cost
   */
  AdmissionRefusedException(Status status, boolean closing, long seenAt) {
    super(status.description(), null, false, false);
    this.status = status;
    this.closing = closing;
    this.seenAt = seenAt;
  }

  long seenAt() {
    return seenAt;
  }

  Status status() {
    return status;
  }

  boolean closing() {
    return closing;
  }
}
