package io.sluice.registry.mlflow;

import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * How the client retries a call that may succeed later (no connection, 408, 429, 5xx):
 * exponential backoff with full jitter, or the server's {@code Retry-After} when it sent one
 * (capped, so a hostile header cannot stall the poller).
 *
 * @param maxAttempts calls in all, the first included; 1 disables retries
 * @param initialBackoff the cap of the first wait
 * @param maxBackoff the cap of any computed wait
 * @param maxRetryAfter the longest {@code Retry-After} honoured
 */
public record RetryPolicy(
    int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter) {

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: >= 1)");
    }
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "backoff: " + initialBackoff + ".." + maxBackoff + " (expected: 0 <= initial <= max)");
    }
    if (maxRetryAfter.isNegative()) {
      throw new IllegalArgumentException("maxRetryAfter: " + maxRetryAfter + " (expected: >= 0)");
    }
  }

  /** 4 attempts, waits up to 0.5 s, 1 s, 2 s, Retry-After honoured up to 30 s. */
  public static RetryPolicy ofDefaults() {
    return new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(8),
        Duration.ofSeconds(30));
  }

  /**
   * The wait before attempt {@code failed + 1}.
   *
   * @param failed attempts made so far, >= 1
   * @param random uniform in [0, 1)
   */
  Duration delay(int failed, Optional<Duration> retryAfter, DoubleSupplier random) {
    if (retryAfter.isPresent()) {
      Duration asked = retryAfter.get().isNegative() ? Duration.ZERO : retryAfter.get();
      return asked.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : asked;
    }
    long cap = initialBackoff.toMillis() << Math.min(20, failed - 1);
    cap = Math.min(cap, maxBackoff.toMillis());
    return Duration.ofMillis((long) (random.getAsDouble() * cap));
  }
}
