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
 * Made with {@link #builder}, which leaves out what a caller does not know.
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

  /**
   * The one way to make an event: what every event has, then what this one knows. Unset parts
   * are empty: no inputs or outputs, succeeded, zero times, the stable route, no execution. On
   * the request path the builder does not escape {@code build()}, so the JIT removes it.
   */
  public static Builder builder(LoadedVersion version, Role role, RequestContext context) {
    return new Builder(version, role, context);
  }

  /** Collects an event's parts; see {@link #builder}. */
  public static final class Builder {
    private final LoadedVersion version;
    private final Role role;
    private final RequestContext context;
    private List<Tensor> inputs = List.of();
    private List<Tensor> outputs = List.of();
    private Status status;
    private long totalNanos;
    private long queueNanos;
    private long computeInputNanos;
    private long computeInferNanos;
    private long computeOutputNanos;
    private Selection.Route route = Selection.Route.STABLE;
    private InferenceResponse.Execution execution = InferenceResponse.Execution.NONE;
    private long startNanos;

    private Builder(LoadedVersion version, Role role, RequestContext context) {
      this.version = version;
      this.role = role;
      this.context = context;
    }

    public Builder inputs(List<Tensor> inputs) {
      this.inputs = inputs;
      return this;
    }

    public Builder outputs(List<Tensor> outputs) {
      this.outputs = outputs;
      return this;
    }

    /** Null when it succeeded. */
    public Builder status(Status status) {
      this.status = status;
      return this;
    }

    /** The engine's answer: its outputs, stage times and execution; nothing when null. */
    public Builder result(InferenceResponse result) {
      if (result != null) {
        outputs = result.outputs();
        queueNanos = result.queueNanos();
        computeInputNanos = result.computeInputNanos();
        computeInferNanos = result.computeInferNanos();
        computeOutputNanos = result.computeOutputNanos();
        execution = result.execution();
      }
      return this;
    }

    /** From version selection to the shaped answer. */
    public Builder totalNanos(long totalNanos) {
      this.totalNanos = totalNanos;
      return this;
    }

    /** When the request was admitted, on the pipeline's ticker. */
    public Builder startNanos(long startNanos) {
      this.startNanos = startNanos;
      return this;
    }

    /** The stage times, for an event without an engine answer to take them from. */
    public Builder stages(long queueNanos, long computeInputNanos, long computeInferNanos,
        long computeOutputNanos) {
      this.queueNanos = queueNanos;
      this.computeInputNanos = computeInputNanos;
      this.computeInferNanos = computeInferNanos;
      this.computeOutputNanos = computeOutputNanos;
      return this;
    }

    public Builder route(Selection.Route route) {
      this.route = route;
      return this;
    }

    public Builder execution(InferenceResponse.Execution execution) {
      this.execution = execution;
      return this;
    }

    public InferenceEvent build() {
      return new InferenceEvent(version, role, context, inputs, outputs, status, totalNanos,
          queueNanos, computeInputNanos, computeInferNanos, computeOutputNanos, route, execution,
          startNanos);
    }
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
