package io.sluice.gateway.core;

import io.sluice.gateway.model.LoadedVersion;
import io.sluice.gateway.model.ModelManager;
import io.sluice.gateway.model.Selection;
import io.sluice.gateway.request.RequestContext;
import io.sluice.gateway.request.RequestIds;
import io.sluice.gateway.request.RequestedOutput;
import io.sluice.proto.inference.ModelConfigProto.ModelOutput;
import io.sluice.runtime.InferenceRequest;
import io.sluice.runtime.InferenceResponse;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import io.sluice.runtime.Tensor;
import io.sluice.runtime.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request, start to finish, in four steps with one owner each:
 *
 * <ol>
 *   <li>the model's {@link io.sluice.gateway.model.VersionSelector} picks the version and
 *       {@link ModelManager#acquire} leases it;
 *   <li>the version's compiled {@link io.sluice.gateway.model.RequestValidator} checks it;
 *   <li>its scheduler queues and runs it (the instance thread only runs the model);
 *   <li>the completion hops to the request context's executor (the channel's event loop), shapes
 *       the answer (requested-output order, classification), tells every {@link
 *       InferenceListener}, releases the lease and completes the caller's future there, where the
 *       front end encodes it.
 * </ol>
 *
 * Every request that reached a version produces exactly one {@link InferenceEvent}, and releases
 * its lease exactly once, whatever the outcome. A request without an id gets one from {@link
 * RequestIds} first, so its answer, its event and the prediction log all carry the same id.
 */
final class InferencePipeline implements InferenceApi {
  private static final Logger log = LoggerFactory.getLogger(InferencePipeline.class);

  private final ModelManager models;
  private final Ticker ticker;
  private final List<InferenceListener> listeners;
  private final DrainGate gate;
  private final RequestIds ids;

  InferencePipeline(
      ModelManager models, Ticker ticker, List<InferenceListener> listeners, DrainGate gate,
      RequestIds ids) {
    this.models = models;
    this.ids = ids;
    this.ticker = ticker;
    this.listeners = List.copyOf(listeners);
    this.gate = gate;
  }

  @Override
  public CompletableFuture<V2InferResponse> infer(
      String model, String version, V2InferRequest request) {
    if (!gate.tryEnter()) {
      return CompletableFuture.failedFuture(
          Status.unavailable("the server is shutting down (expected: retry on another replica)")
              .asException());
    }
    try {
      // One id per request from here on: the answer echoes it, listeners log it, feedback joins
      // on it. A client's empty id counts as none (gRPC cannot tell them apart).
      V2InferRequest named = request.id().isEmpty() ? request.withId(ids.next()) : request;
      return admitted(model, version, named);
    } catch (RuntimeException e) {
      gate.exit();
      throw e;
    }
  }

  /** Refused before it was queued: leaves the gate and fails at once. */
  private CompletableFuture<V2InferResponse> refused(StatusException e) {
    gate.exit();
    return CompletableFuture.failedFuture(e);
  }

  private CompletableFuture<V2InferResponse> admitted(
      String model, String version, V2InferRequest request) {
    long start = ticker.nanoTime();
    RequestContext context = request.context();
    LoadedVersion v;
    try {
      Selection selection = models.acquire(model, version, context);
      v = selection.primary();
    } catch (StatusException e) {
      return refused(e);
    }
    Set<String> wanted;
    try {
      wanted = v.validator().validate(request.inputs(), request.outputs(), request.priority());
    } catch (StatusException e) {
      finish(v, request, null, e.status(), start);
      return refused(e);
    }
    InferenceRequest work =
        new InferenceRequest(
            request.inputs(),
            wanted,
            request.priority(),
            request.timeoutMicros(),
            context.deadlineNanos(),
            context.cancelled());
    CompletableFuture<InferenceResponse> queued;
    try {
      queued = v.scheduler().enqueue(work);
    } catch (RuntimeException e) {
      queued = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<V2InferResponse> answer = new CompletableFuture<>();
    queued.whenComplete(
        (result, error) -> {
          Runnable complete = () -> complete(v, request, result, error, start, answer);
          try {
            context.completion().execute(complete);
          } catch (RejectedExecutionException e) {
            // The event loop is shutting down: complete here so the lease is still released.
            complete.run();
          }
        });
    return answer;
  }

  /**
   * Answers a queued request, then leaves the gate: the caller's callbacks (the front end's
   * encode and write) run inside {@code answer}'s completion, on this thread, so a shutdown
   * waiting on the gate sees the answer already written.
   */
  private void complete(
      LoadedVersion v,
      V2InferRequest request,
      InferenceResponse result,
      Throwable error,
      long start,
      CompletableFuture<V2InferResponse> answer) {
    try {
      settle(v, request, result, error, start, answer);
    } finally {
      gate.exit();
    }
  }

  private void settle(
      LoadedVersion v,
      V2InferRequest request,
      InferenceResponse result,
      Throwable error,
      long start,
      CompletableFuture<V2InferResponse> answer) {
    if (error != null) {
      Status s = Status.fromThrowable(error);
      finish(v, request, null, s, start);
      answer.completeExceptionally(s.asException());
      return;
    }
    V2InferResponse response;
    try {
      response = shape(v, request, result);
    } catch (RuntimeException e) {
      Status s = Status.fromThrowable(e);
      finish(v, request, result, s, start);
      answer.completeExceptionally(s.asException());
      return;
    }
    finish(v, request, result, null, start);
    answer.complete(response);
  }

  /** Tells every listener, then releases the lease: the one place a request leaves its version. */
  private void finish(
      LoadedVersion v, V2InferRequest request, InferenceResponse result, Status status,
      long start) {
    try {
      InferenceEvent event =
          new InferenceEvent(
              v,
              InferenceEvent.Role.PRIMARY,
              request.context(),
              request.inputs(),
              result == null ? List.of() : result.outputs(),
              status,
              ticker.nanoTime() - start,
              result == null ? 0 : result.queueNanos(),
              result == null ? 0 : result.computeInputNanos(),
              result == null ? 0 : result.computeInferNanos(),
              result == null ? 0 : result.computeOutputNanos());
      for (int i = 0, n = listeners.size(); i < n; i++) {
        try {
          listeners.get(i).onInference(event);
        } catch (RuntimeException e) {
          log.warn("inference listener {} failed", listeners.get(i), e);
        }
      }
    } finally {
      v.release();
    }
  }

  private static V2InferResponse shape(
      LoadedVersion v, V2InferRequest request, InferenceResponse result) {
    List<Tensor> produced = result.outputs();
    List<Tensor> outputs = new ArrayList<>(produced.size());
    List<Boolean> binary = new ArrayList<>(produced.size());
    if (request.outputs().isEmpty()) {
      for (ModelOutput o : v.config().getOutputList()) {
        Tensor t = find(produced, o.getName());
        if (t != null) {
          outputs.add(t);
        }
        binary.add(false);
      }
    } else {
      boolean batched = v.config().getMaxBatchSize() > 0;
      for (RequestedOutput o : request.outputs()) {
        Tensor t = find(produced, o.name());
        if (t == null) {
          throw Status.internal("the model did not produce output '" + o.name() + "'")
              .asException();
        }
        if (o.classificationCount() > 0) {
          t = Classification.topK(t, o.classificationCount(), batched, v.labels(o.name()));
        }
        outputs.add(t);
        binary.add(o.binaryData());
      }
    }
    return new V2InferResponse(v.name(), v.versionString(), request.id(), outputs, binary);
  }

  // A model has a handful of outputs: a scan beats a map per request.
  private static Tensor find(List<Tensor> tensors, String name) {
    for (int i = 0, n = tensors.size(); i < n; i++) {
      if (tensors.get(i).name().equals(name)) {
        return tensors.get(i);
      }
    }
    return null;
  }
}
