package io.sluice.runtime;

/**
 * Told of every execution and every dropped request, so the gateway can count them. Called on
 * scheduler threads: implementations must be quick and must not block.
 */
public interface SchedulerListener {

  /** One backend execution of {@code batchSize} batch items made of {@code requests} requests. */
  void onExecution(
      int batchSize, int requests, long computeInputNanos, long computeInferNanos,
      long computeOutputNanos);

  /**
   * A request that never reached a backend.
   *
   * @param reason a short label: {@code queue_full}, {@code timeout}, {@code deadline},
   *     {@code cancelled}, {@code shutdown}
   */
  void onDropped(String reason);

  SchedulerListener NOOP =
      new SchedulerListener() {
        @Override
        public void onExecution(int b, int r, long in, long infer, long out) {}

        @Override
        public void onDropped(String reason) {}
      };
}
