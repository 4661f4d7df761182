package io.sluice.gateway;

import java.util.List;

/**
 * Alias-driven rollouts: what happens when the MLflow follower sees the challenger alias (the
 * second of {@code --mlflow-aliases}) move to a new version.
 *
 * @param onChallenger whether such a move starts a step-wise rollout at all; off, the
 *     challenger is only served by version number
 * @param steps the canary weights in percent, in order, each in (0, 100]
 * @param stepSeconds how long each step is held before the next (or the promotion)
 * @param shadowSeconds how long the candidate first runs as a shadow of all traffic (0: none)
 * @param promote whether a passed rollout moves the champion alias in MLflow and a failed one
 *     tags the version with its reason; off, a pass is reported as ready to promote
 */
public record RolloutConfig(
    boolean onChallenger, List<Double> steps, int stepSeconds, int shadowSeconds,
    boolean promote) {

  public RolloutConfig {
    steps = List.copyOf(steps);
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("rollout-steps: empty (expected: e.g. 5,25,50)");
    }
    for (double w : steps) {
      if (!(w > 0 && w <= 100)) {
        throw new IllegalArgumentException("rollout-steps " + steps
            + " (expected: weights in percent, each in (0, 100], e.g. 5,25,50)");
      }
    }
    GatewayConfig.checkPositive("rolloutStepSeconds", stepSeconds);
    if (shadowSeconds < 0) {
      throw new IllegalArgumentException(
          "rolloutShadowSeconds: " + shadowSeconds + " (expected: >= 0)");
    }
  }

  /** Parses {@code 5,25,50} (the flag's and YAML list's items) into weights. */
  static List<Double> weights(List<String> items) {
    try {
      return items.stream().map(String::strip).map(Double::parseDouble).toList();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("rollout-steps " + items
          + " (expected: numbers, weights in percent, e.g. 5,25,50)", e);
    }
  }
}
