package io.sluice.runtime;

import java.util.List;

/**
 * The outputs of one request, and where its time went (Triton's statistics fields).
 *
 * @param outputs this request's slice of each output, in signature order
 * @param batchSize the number of batch items in the execution this request was part of
 */
public record InferenceResponse(
    List<Tensor> outputs,
    int batchSize,
    long queueNanos,
    long computeInputNanos,
    long computeInferNanos,
    long computeOutputNanos) {

  public InferenceResponse {
    outputs = List.copyOf(outputs);
  }
}
