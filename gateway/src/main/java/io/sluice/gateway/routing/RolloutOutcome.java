package io.sluice.gateway.routing;

/**
 * Told once how a rollout started with {@link Routing#startRollout} ended, on the routing
 * thread: so it must hand anything slow (a registry call) to a thread of its own.
 */
@FunctionalInterface
public interface RolloutOutcome {
  /** How a rollout ended. */
  enum Result { PROMOTED, ROLLED_BACK, SUPERSEDED }

  /**
   * @param reason for a roll-back, the phase, the guard and its detail; else a short phrase
   */
  void finished(String model, long candidate, Result result, String reason);

  RolloutOutcome NONE = (model, candidate, result, reason) -> { };
}
