package io.sluice.runtime;

/** An exception that carries a {@link Status}; cheap to create (no stack trace for user errors). */
public final class StatusException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Status status;

  public StatusException(Status status) {
    super(status.description(), status.cause(), false, status.code() == Status.Code.INTERNAL);
    this.status = status;
  }

  public Status status() {
    return status;
  }
}
