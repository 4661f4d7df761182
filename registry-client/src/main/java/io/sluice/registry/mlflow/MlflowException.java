package io.sluice.registry.mlflow;

import java.time.Duration;
import java.util.Optional;

/**
 * The MLflow server refused a call, answered something that is not MLflow's, or could not be
 * reached. {@link #status()} is the HTTP status, 0 when no answer came; {@link #retryable()} says
 * whether asking again later may succeed (429, 5xx, 408, no connection).
 */
public final class MlflowException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String errorCode;
  private final transient Optional<Duration> retryAfter;

  MlflowException(int status, String errorCode, String message, Optional<Duration> retryAfter,
      Throwable cause) {
    super(message, cause);
    this.status = status;
    this.errorCode = errorCode == null ? "" : errorCode;
    this.retryAfter = retryAfter;
  }

  /** An answer with {@code status} and MLflow's {@code error_code} (also for stand-ins in tests). */
  public MlflowException(int status, String errorCode, String message) {
    this(status, errorCode, message, Optional.empty(), null);
  }

  /** The HTTP status, 0 when the server could not be reached. */
  public int status() {
    return status;
  }

  /** MLflow's {@code error_code} ({@code RESOURCE_DOES_NOT_EXIST}…), "" when there was none. */
  public String errorCode() {
    return errorCode;
  }

  /** Whether the same call may succeed later: no answer, 408, 429 or a 5xx. */
  public boolean retryable() {
    return retryable(status);
  }

  /** True for a missing model, version or alias (404, or MLflow's 400 for an unknown alias). */
  public boolean notFound() {
    return status == 404
        || "RESOURCE_DOES_NOT_EXIST".equals(errorCode)
        || (status == 400 && getMessage().contains("alias") && getMessage().contains("not found"));
  }

  /** The server's {@code Retry-After}, when it sent one. */
  public Optional<Duration> retryAfter() {
    return retryAfter;
  }

  static boolean retryable(int status) {
    return status == 0 || status == 408 || status == 429 || status == 500 || status == 502
        || status == 503 || status == 504;
  }
}
