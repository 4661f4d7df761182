package io.sluice.gateway.http;

/**
 * The cause in a request's failed decoder result when its headers or its body did not arrive in
 * time: {@link RequestDispatcher} answers 408. Thrown by nobody, so it carries no stack trace.
 */
final class RequestTimeoutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  RequestTimeoutException(String message) {
    super(message, null, false, false);
  }
}
