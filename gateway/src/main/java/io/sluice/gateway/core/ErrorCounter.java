package io.sluice.gateway.core;

/**
 * Counts a request a front end answered with an error, whichever layer found it (a malformed
 * body as much as a failed model run), so no rejected request goes uncounted.
 */
@FunctionalInterface
public interface ErrorCounter {

  /**
   * @param protocol {@code http} or {@code grpc}
   * @param code the status name, e.g. {@code INVALID_ARGUMENT}
   */
  void recordError(String protocol, String code);

  /**
   * Counts a connection the client reset or closed with a request half sent (an I/O error from
   * the peer): nothing is answered and nothing is logged above debug.
   *
   * @param protocol {@code http} or {@code grpc}
   */
  default void recordClientDisconnect(String protocol) {}
}
