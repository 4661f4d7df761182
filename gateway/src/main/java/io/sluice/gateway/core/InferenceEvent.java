package io.sluice.gateway.core;

import io.sluice.gateway.model.LoadedVersion;
import io.sluice.gateway.model.Selection;
import io.sluice.gateway.request.RequestContext;
import io.sluice.runtime.InferenceResponse;
import io.sluice.runtime.Status;
import io.sluice.runtime.Tensor;
import java.util.List;

/**
 * One finished inference as {@link InferenceListener}s see it: which version ran it and in which
 * role, the request's context, its inputs and outputs, how it ended and how long each part took.
 *
 * <p><b>Ownership.</b> The tensors are views: an HTTP binary input is a slice of the request's
 * Netty buffer, freed once the response is written; a gRPC raw input is a view of the request
 * message. A listener that keeps anything must copy it inside {@code onInference}.
 *
 * @param version the version that ran (or refused) the request
 * @param role PRIMARY for the answer the caller gets, SHADOW for a copy whose answer is dropped
 * @param context the request's id, headers, parameters
 * @param inputs the request's inputs
 * @param outputs the outputs the model produced; empty on failure
 * @param status null when it succeeded, else why it failed
 * @param totalNanos from version selection to the shaped answer
 * @param queueNanos time waiting for a batch (0 when it never reached the queue)
 * @param computeInputNanos copying inputs into the engine
 * @param computeInferNanos the engine's run
 * @param computeOutputNanos reading outputs from the engine
 * @param route how the version was chosen (stable, canary, pinned); a shadow copy carries the
 *     primary's route
 * @param execution the batch execution that ran it and when that left the queue (tracing places
 *     its spans by it); {@link InferenceResponse.Execution#NONE} when it never ran
 * @param startNanos when the request was admitted, on the pipeline's ticker ({@code totalNanos}
 *     counts from here); 0 when not known
 */
public record InferenceEvent(
    LoadedVersion version,
    Role role,
    RequestContext context,
    List<Tensor> inputs,
    List<Tensor> outputs,
    Status status,
    long totalNanos,
    long queueNanos,
    long computeInputNanos,
    long computeInferNanos,
    long computeOutputNanos,
    Selection.Route route,
    InferenceResponse.Execution execution,
    long startNanos) {

  public InferenceEvent {
    execution = execution == null ? InferenceResponse.Execution.NONE : execution;
  }

  /** An event without an execution to place (a shadow copy, a test). */
  public InferenceEvent(
      LoadedVersion version,
      Role role,
      RequestContext context,
      List<Tensor> inputs,
      List<Tensor> outputs,
      Status status,
      long totalNanos,
      long queueNanos,
      long computeInputNanos,
      long computeInferNanos,
      long computeOutputNanos,
      Selection.Route route) {
    this(version, role, context, inputs, outputs, status, totalNanos, queueNanos,
        computeInputNanos, computeInferNanos, computeOutputNanos, route,
        InferenceResponse.Execution.NONE, 0);
  }

  /** A stable-route event (no traffic policy). */
  public InferenceEvent(
      LoadedVersion version,
      Role role,
      RequestContext context,
      List<Tensor> inputs,
      List<Tensor> outputs,
      Status status,
      long totalNanos,
      long queueNanos,
      long computeInputNanos,
      long computeInferNanos,
      long computeOutputNanos) {
    this(version, role, context, inputs, outputs, status, totalNanos, queueNanos,
        computeInputNanos, computeInferNanos, computeOutputNanos, Selection.Route.STABLE);
  }

  /** Whose answer this was. */
  public enum Role {
    PRIMARY,
    SHADOW
  }

  public boolean succeeded() {
    return status == null;
  }
}
