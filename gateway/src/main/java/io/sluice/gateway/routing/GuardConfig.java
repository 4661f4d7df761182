package io.sluice.gateway.routing;

import java.time.Duration;

/**
 * When a candidate is rolled back, per policy ({@code "guards"} in the policy JSON). Two guards,
 * each on unless disabled:
 *
 * <ul>
 *   <li>a circuit breaker (Resilience4j) over the candidate's last {@code breakerWindow} calls,
 *       after at least {@code breakerMinimumCalls}: it trips at {@code failureRatePercent}
 *       failed calls or {@code slowCallRatePercent} calls slower than {@code slowCall};
 *   <li>a latency guard: over the last {@code latencyWindowSeconds}, with at least {@code
 *       latencyMinSamples} answers on each side, the candidate's p99 above {@code p99Ratio} times
 *       stable's p99 plus {@code p99Margin};
 *   <li>an agreement guard, for a candidate that is also a shadow of the policy: once {@code
 *       agreementMinComparisons} of its shadow answers were scored against stable's, an
 *       agreement below {@code minAgreement}.
 * </ul>
 */
public record GuardConfig(
    boolean breakerEnabled,
    float failureRatePercent,
    float slowCallRatePercent,
    Duration slowCall,
    int breakerWindow,
    int breakerMinimumCalls,
    boolean latencyEnabled,
    double p99Ratio,
    Duration p99Margin,
    int latencyMinSamples,
    int latencyWindowSeconds,
    boolean agreementEnabled,
    double minAgreement,
    int agreementMinComparisons) {

  /** The guards without the agreement guard's settings (its defaults). */
  public GuardConfig(boolean breakerEnabled, float failureRatePercent, float slowCallRatePercent,
      Duration slowCall, int breakerWindow, int breakerMinimumCalls, boolean latencyEnabled,
      double p99Ratio, Duration p99Margin, int latencyMinSamples, int latencyWindowSeconds) {
    this(breakerEnabled, failureRatePercent, slowCallRatePercent, slowCall, breakerWindow,
        breakerMinimumCalls, latencyEnabled, p99Ratio, p99Margin, latencyMinSamples,
        latencyWindowSeconds, true, 0.9, 100);
  }

  public GuardConfig {
    check(failureRatePercent > 0 && failureRatePercent <= 100, "failure_rate",
        failureRatePercent, "a percentage in (0, 100]");
    check(slowCallRatePercent > 0 && slowCallRatePercent <= 100, "slow_call_rate",
        slowCallRatePercent, "a percentage in (0, 100]");
    check(!slowCall.isNegative() && !slowCall.isZero(), "slow_call_ms", slowCall.toMillis(),
        "> 0");
    check(breakerWindow >= 1, "window", breakerWindow, ">= 1");
    check(breakerMinimumCalls >= 1, "minimum_calls", breakerMinimumCalls, ">= 1");
    check(p99Ratio >= 1, "p99_ratio", p99Ratio, ">= 1");
    check(!p99Margin.isNegative(), "margin_ms", p99Margin.toMillis(), ">= 0");
    check(latencyMinSamples >= 1, "min_samples", latencyMinSamples, ">= 1");
    check(latencyWindowSeconds >= 1 && latencyWindowSeconds <= 3600, "window_s",
        latencyWindowSeconds, "1 to 3600");
    check(minAgreement >= 0 && minAgreement <= 1, "min_agreement", minAgreement, "0 to 1");
    check(agreementMinComparisons >= 1, "min_comparisons", agreementMinComparisons, ">= 1");
  }

  /**
   * The documented defaults: trip at 20% errors or 80% calls over 1 s among the last 50 (at
   * least 20); or a p99 over 1.5 × stable's + 20 ms across 10 s with 100 samples each; or an
   * agreement under 0.9 after 100 shadow comparisons.
   */
  public static GuardConfig ofDefaults() {
    return new GuardConfig(true, 20, 80, Duration.ofSeconds(1), 50, 20,
        true, 1.5, Duration.ofMillis(20), 100, 10);
  }

  private static void check(boolean ok, String name, Object value, String expected) {
    if (!ok) {
      throw new IllegalArgumentException(
          "guards: " + name + ": " + value + " (expected: " + expected + ")");
    }
  }
}
