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
 *   <li>the model's {@link io.sluice.gateway.model.VersionSelector} picks the version (and any
 *       shadows) and {@link ModelManager#acquire} leases it;
 *   <li>the version's compiled {@link io.sluice.gateway.model.RequestValidator} checks it;
 *   <li>its scheduler queues and runs it (the instance thread only runs the model);
 *   <li>the completion hops to the request context's executor (the channel's event loop), shapes
 *       the answer (requested-output order, classification), tells every {@link
 *       InferenceListener}, releases the lease and completes the caller's future there, where the
 *       front end encodes it.
 * </ol>
 *
 * Every request that reached a version produces exactly one {@link InferenceEvent} per version it
 * ran on, and releases each lease exactly once, whatever the outcome. A request without an id
 * gets one from {@link RequestIds} first, so its answer, its events and the prediction log all
 * carry the same id. A canary's failure is retried once on the selection's stable fallback; a
 * shadow copy is handed to the {@link ShadowSink} after the answer is shaped, while the
 * request's buffers are still alive.
 */
final class InferencePipeline implements InferenceApi {
  private static final Logger log = LoggerFactory.getLogger(InferencePipeline.class);

  private final ModelManager models;
  private final Ticker ticker;
  private final List<InferenceListener> listeners;
  private final DrainGate gate;
  private final RequestIds ids;
  private final FaultInjector faults;
  private final ShadowSink shadows;

  /**
   * @param ids names the requests that arrive without an id
   * @param faults runs each admitted request on its version (and injects a drill's faults)
   * @param shadows takes the copy of a request whose selection names shadows
   */
  InferencePipeline(
      ModelManager models, Ticker ticker, List<InferenceListener> listeners, DrainGate gate,
      RequestIds ids, FaultInjector faults, ShadowSink shadows) {
    this.models = models;
    this.ids = ids;
    this.ticker = ticker;
    this.listeners = List.copyOf(listeners);
    this.gate = gate;
    this.faults = faults;
    this.shadows = shadows;
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
    Selection selection;
    try {
      selection = models.acquire(model, version, request.context());
    } catch (StatusException e) {
      return refused(e);
    }
    CompletableFuture<V2InferResponse> answer = new CompletableFuture<>();
    StatusException refusal = run(selection, request, start, answer);
    if (refusal != null) {
      return refused(refusal);
    }
    return answer;
  }

  /**
   * Validates and queues a request on {@code s}'s primary, whose lease the caller holds. Returns
   * the refusal when validation failed (the lease is then released), else null: {@code answer}
   * completes later.
   */
  private StatusException run(
      Selection s, V2InferRequest request, long start, CompletableFuture<V2InferResponse> answer) {
    LoadedVersion v = s.primary();
    RequestContext context = request.context();
    Set<String> wanted;
    try {
      wanted = v.validator().validate(request.inputs(), request.outputs(), request.priority());
    } catch (StatusException e) {
      finish(s, request, null, e.status(), start);
      return e;
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
      queued = faults.run(v, work);
    } catch (RuntimeException e) {
      queued = CompletableFuture.failedFuture(e);
    }
    queued.whenComplete(
        (result, error) -> {
          Runnable complete = () -> complete(s, request, result, error, start, answer);
          try {
            context.completion().execute(complete);
          } catch (RejectedExecutionException e) {
            // The event loop is shutting down: complete here so the lease is still released.
            complete.run();
          }
        });
    return null;
  }

  /**
   * Answers a queued request, then leaves the gate: the caller's callbacks (the front end's
   * encode and write) run inside {@code answer}'s completion, on this thread, so a shutdown
   * waiting on the gate sees the answer already written. A canary's failure retried on stable
   * stays inside the gate until the retry answers.
   */
  private void complete(
      Selection s,
      V2InferRequest request,
      InferenceResponse result,
      Throwable error,
      long start,
      CompletableFuture<V2InferResponse> answer) {
    boolean retried = false;
    try {
      retried = settle(s, request, result, error, start, answer);
    } finally {
      if (!retried) {
        gate.exit();
      }
    }
  }

  /** Completes {@code answer}, or returns true when the failure was handed to a retry. */
  private boolean settle(
      Selection s,
      V2InferRequest request,
      InferenceResponse result,
      Throwable error,
      long start,
      CompletableFuture<V2InferResponse> answer) {
    if (error != null) {
      Status status = Status.fromThrowable(error);
      finish(s, request, null, status, start);
      if (retry(s, request, status, answer)) {
        return true;
      }
      answer.completeExceptionally(status.asException());
      return false;
    }
    V2InferResponse response;
    try {
      response = shape(s, request, result);
    } catch (RuntimeException e) {
      Status status = Status.fromThrowable(e);
      finish(s, request, result, status, start);
      answer.completeExceptionally(status.asException());
      return false;
    }
    if (!s.shadows().isEmpty()) {
      try {
        shadows.offer(s, request, result.outputs());
      } catch (RuntimeException e) {
        log.warn("the shadow copy of a request to '{}' failed", s.primary().name(), e);
      }
    }
    finish(s, request, result, null, start);
    answer.complete(response);
    return false;
  }

  /**
   * Runs a canary's failed request once more on stable, so the client sees no error: inference
   * is idempotent. Only faults of the version are retried (not a bad request, a cancelled call
   * or a passed deadline), and only when stable still admits requests.
   */
  private boolean retry(
      Selection s, V2InferRequest request, Status failure,
      CompletableFuture<V2InferResponse> answer) {
    Selection fallback = s.fallback();
    if (fallback == null || !retryable(failure.code()) || request.cancelled().getAsBoolean()
        || !fallback.primary().tryAcquire()) {
      return false;
    }
    StatusException refusal = run(fallback, request, ticker.nanoTime(), answer);
    if (refusal != null) {
      answer.completeExceptionally(refusal);
      return false;
    }
    return true;
  }

  private static boolean retryable(Status.Code code) {
    return code == Status.Code.UNAVAILABLE || code == Status.Code.INTERNAL
        || code == Status.Code.UNIMPLEMENTED;
  }

  /** Tells every listener, then releases the lease: the one place a request leaves its version. */
  private void finish(
      Selection s, V2InferRequest request, InferenceResponse result, Status status,
      long start) {
    LoadedVersion v = s.primary();
    try {
      InferenceEvent event =
          InferenceEvent.builder(v, InferenceEvent.Role.PRIMARY, request.context())
              .inputs(request.inputs())
              .result(result)
              .status(status)
              .startNanos(start)
              .totalNanos(ticker.nanoTime() - start)
              .route(s.route())
              .build();
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
      Selection s, V2InferRequest request, InferenceResponse result) {
    LoadedVersion v = s.primary();
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
    return new V2InferResponse(v.name(), v.versionString(), request.id(), outputs, binary,
        s.route().label());
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
