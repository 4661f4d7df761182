package io.sluice.gateway;

import java.net.URI;
import java.util.Optional;

/**
 * Traffic routing's process-wide settings; the policies themselves are per model, at run time
 * ({@code PUT /v2/models/{m}/traffic}).
 *
 * @param rollbackWebhook where each automatic or manual rollback is POSTed as JSON
 * @param shadowQueueSize shadow copies waiting to run; beyond it they are dropped and counted
 * @param shadowMaxInFlight shadow requests queued on shadow versions at once
 * @param stateDir where each model's policy is kept across restarts; empty: in memory only
 * @param rollout alias-driven rollouts (the MLflow challenger)
 */
public record RoutingConfig(
    Optional<URI> rollbackWebhook, int shadowQueueSize, int shadowMaxInFlight,
    Optional<java.nio.file.Path> stateDir, RolloutConfig rollout) {

  public RoutingConfig {
    java.util.Objects.requireNonNull(rollout, "rollout");
    java.util.Objects.requireNonNull(stateDir, "stateDir");
    if (shadowQueueSize < 2) {
      throw new IllegalArgumentException(
          "shadowQueueSize: " + shadowQueueSize + " (expected: >= 2)");
    }
    if (shadowMaxInFlight < 1) {
      throw new IllegalArgumentException(
          "shadowMaxInFlight: " + shadowMaxInFlight + " (expected: >= 1)");
    }
  }
}
