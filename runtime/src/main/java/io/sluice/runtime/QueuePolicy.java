package io.sluice.runtime;

/**
 * Triton's {@code ModelQueuePolicy} for one priority level.
 *
 * @param timeoutAction what happens to a request that has waited past its timeout
 * @param defaultTimeoutMicros the queue timeout of a request that sets none; 0 for none
 * @param allowTimeoutOverride whether a request's own {@code timeout} may shorten it
 * @param maxQueueSize requests allowed to wait at this level; 0 means the scheduler's global cap
 */
public record QueuePolicy(
    TimeoutAction timeoutAction,
    long defaultTimeoutMicros,
    boolean allowTimeoutOverride,
    int maxQueueSize) {

  /** What to do with a request whose queue timeout has passed. */
  public enum TimeoutAction {
    /** Fail it at once with UNAVAILABLE. */
    REJECT,
    /** Keep it, behind every request that has not timed out. */
    DELAY
  }

  public static final QueuePolicy DEFAULT = new QueuePolicy(TimeoutAction.REJECT, 0, false, 0);

  public QueuePolicy {
    if (timeoutAction == null) {
      timeoutAction = TimeoutAction.REJECT;
    }
    if (defaultTimeoutMicros < 0) {
      throw new IllegalArgumentException(
          "defaultTimeoutMicros: " + defaultTimeoutMicros + " (expected: >= 0)");
    }
    if (maxQueueSize < 0) {
      throw new IllegalArgumentException("maxQueueSize: " + maxQueueSize + " (expected: >= 0)");
    }
  }
}
