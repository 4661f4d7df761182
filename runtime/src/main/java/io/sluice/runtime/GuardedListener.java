package io.sluice.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SchedulerListener} that cannot hurt the instance thread calling it: an exception from
 * the listener is logged and swallowed, so a bug in metrics code never stops a model from
 * serving or leaves a request's future uncompleted.
 */
final class GuardedListener implements SchedulerListener {
  private static final Logger logger = LoggerFactory.getLogger(GuardedListener.class);

  private final SchedulerListener delegate;

  GuardedListener(SchedulerListener delegate) {
    this.delegate = delegate == null ? SchedulerListener.NOOP : delegate;
  }

  @Override
  public void onExecution(
      int batchSize, int requests, long computeInputNanos, long computeInferNanos,
      long computeOutputNanos) {
    try {
      delegate.onExecution(
          batchSize, requests, computeInputNanos, computeInferNanos, computeOutputNanos);
    } catch (RuntimeException e) {
      logger.warn("SchedulerListener.onExecution threw; ignored", e);
    }
  }

  @Override
  public void onDropped(String reason) {
    try {
      delegate.onDropped(reason);
    } catch (RuntimeException e) {
      logger.warn("SchedulerListener.onDropped threw; ignored", e);
    }
  }
}
