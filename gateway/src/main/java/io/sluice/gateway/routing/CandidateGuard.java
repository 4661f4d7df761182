package io.sluice.gateway.routing;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One candidate's guards: a Resilience4j {@link CircuitBreaker} fed every answer the candidate
 * gave on the canary route (its error rate and slow-call rate over a count-based window), and a
 * {@link LatencyWindow} the guard thread compares with stable's. The breaker never closes again
 * by itself: an open breaker is a rollback, and only a new policy (or promote) starts afresh.
 */
final class CandidateGuard {
  // Resilience4j wants a throwable per failed call; the status already told the pipeline why.
  private static final Exception FAILED = new Exception("candidate call failed", null, false,
      false) {};

  private final long version;
  private final GuardConfig config;
  private final CircuitBreaker breaker;
  private final LatencyWindow latency;
  private final java.util.concurrent.atomic.AtomicLong compared =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong agreed =
      new java.util.concurrent.atomic.AtomicLong();

  CandidateGuard(String model, long version, GuardConfig config, Clock clock) {
    this.version = version;
    this.config = config;
    this.breaker = CircuitBreaker.of(model + "/" + version, CircuitBreakerConfig.custom()
        .slidingWindow(config.breakerWindow(), config.breakerMinimumCalls(),
            CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .failureRateThreshold(config.failureRatePercent())
        .slowCallRateThreshold(config.slowCallRatePercent())
        .slowCallDurationThreshold(config.slowCall())
        .waitDurationInOpenState(Duration.ofDays(365))
        .automaticTransitionFromOpenToHalfOpenEnabled(false)
        .clock(clock)
        .build());
    this.latency = new LatencyWindow(config.latencyWindowSeconds());
  }

  long version() {
    return version;
  }

  /**
   * Records one answer; returns the breaker's reason ({@code error_rate} or {@code slow_calls})
   * when this answer tripped it, else null.
   */
  String record(boolean succeeded, long nanos) {
    latency.record(nanos);
    if (!config.breakerEnabled() || breaker.getState() != CircuitBreaker.State.CLOSED) {
      return null;
    }
    if (succeeded) {
      breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
    } else {
      breaker.onError(nanos, TimeUnit.NANOSECONDS, FAILED);
    }
    if (breaker.getState() != CircuitBreaker.State.OPEN) {
      return null;
    }
    CircuitBreaker.Metrics m = breaker.getMetrics();
    return m.getFailureRate() >= config.failureRatePercent() ? "error_rate" : "slow_calls";
  }

  /**
   * Records one shadow comparison of this candidate against stable; true when it brought the
   * agreement below the guard's minimum (after its minimum comparisons).
   */
  boolean recordAgreement(boolean agree) {
    long n = compared.incrementAndGet();
    long a = agree ? agreed.incrementAndGet() : agreed.get();
    return config.agreementEnabled() && n >= config.agreementMinComparisons()
        && (double) a / n < config.minAgreement();
  }

  String agreementDetail() {
    long n = compared.get();
    return String.format(java.util.Locale.ROOT, "agreement %.3f over %d shadow comparisons"
        + " (minimum %.3f)", n == 0 ? 1.0 : (double) agreed.get() / n, n, config.minAgreement());
  }

  /** A line on what the breaker saw, for the log and the webhook. */
  String breakerDetail() {
    CircuitBreaker.Metrics m = breaker.getMetrics();
    return String.format(java.util.Locale.ROOT,
        "%.1f%% failed, %.1f%% slower than %d ms over %d calls (thresholds %.1f%%, %.1f%%)",
        m.getFailureRate(), m.getSlowCallRate(), config.slowCall().toMillis(),
        m.getNumberOfBufferedCalls(), config.failureRatePercent(), config.slowCallRatePercent());
  }

  CircuitBreaker breaker() {
    return breaker;
  }

  LatencyWindow latency() {
    return latency;
  }
}
