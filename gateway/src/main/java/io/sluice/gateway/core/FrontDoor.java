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
}
