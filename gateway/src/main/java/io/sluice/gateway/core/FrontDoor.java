package io.sluice.gateway.core;

import io.sluice.runtime.Status;

/**
 * The overload check a front end asks before it reads an inference request's body (see {@link
 * Admission}). The default admits everything, for front-end tests that do not test shedding.
 */
public interface FrontDoor {

  /**
   * Null when an inference request may come in; else the refusal (UNAVAILABLE with a retry
   * hint) to answer at once, already counted as a drop. Cheap, and safe on an event loop.
   */
  default Status checkAdmission() {
    return null;
  }

  /**
   * A reading of the clock a refusal's own cost is timed on, taken when a front end first sees an
   * inference request's head (HTTP: the head decoded; gRPC: the call started). 0 by default.
   */
  default long refusalClock() {
    return 0;
  }

  /**
   * A refusal {@link #checkAdmission()} returned has been written ({@code protocol} {@code
   * "http"}) or handed to the transport ({@code "grpc"}); {@code seenAt} is the {@link
   * #refusalClock()} reading from its head. This is the refusal's own cost on the server: the
   * time its bytes waited in sockets and behind other work before the front end read them is
   * not in it (a client sees both). Safe on an event loop.
   */
  default void refusalAnswered(String protocol, long seenAt) {}
}
