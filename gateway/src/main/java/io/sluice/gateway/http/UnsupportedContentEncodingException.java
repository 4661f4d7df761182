package io.sluice.gateway.http;

/**
 * The cause in a request's failed decoder result when its {@code Content-Encoding} is not one
 * {@link BodyInflater} inflates: {@link RequestDispatcher} answers 415. Thrown by nobody, so it
 * carries no stack trace.
 */
final class UnsupportedContentEncodingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UnsupportedContentEncodingException(String message) {
    super(message, null, false, false);
  }
}
