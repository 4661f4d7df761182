package io.sluice.runtime;

import java.util.List;

/**
 * The outputs of one request, and where its time went (Triton's statistics fields).
 *
 * @param outputs this request's slice of each output, in signature order
 * @param batchSize the number of batch items in the execution this request was part of
 * @param execution which execution ran it and when it left the queue, so that a tracer can place
 *     the queue and compute phases on a timeline; {@link Execution#NONE} when nothing queued it
 */
public record InferenceResponse(
    List<Tensor> outputs,
    int batchSize,
    long queueNanos,
    long computeInputNanos,
    long computeInferNanos,
    long computeOutputNanos,
    Execution execution) {

  public InferenceResponse {
    outputs = List.copyOf(outputs);
    execution = execution == null ? Execution.NONE : execution;
  }

  /** A response that no scheduler's execution produced (a fake engine, an injected answer). */
  public InferenceResponse(
      List<Tensor> outputs, int batchSize, long queueNanos, long computeInputNanos,
      long computeInferNanos, long computeOutputNanos) {
    this(outputs, batchSize, queueNanos, computeInputNanos, computeInferNanos,
        computeOutputNanos, Execution.NONE);
  }

  /**
   * One batch execution, shared by every response of the batch (one object per batch, not per
   * request).
   *
   * @param id the scheduler's sequence number of the execution, from 1; 0 for none
   * @param items the batch items it ran (the batch size)
   * @param requests how many requests the batch held
   * @param startNanos when the batch left the queue, on the scheduler's {@link Ticker}
   */
  public record Execution(long id, int items, int requests, long startNanos) {
    public static final Execution NONE = new Execution(0, 0, 0, 0);
  }
}
