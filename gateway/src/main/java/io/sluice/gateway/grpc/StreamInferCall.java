package io.sluice.gateway.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import io.sluice.proto.inference.GrpcService.ModelInferResponse;
import io.sluice.proto.inference.GrpcService.ModelStreamInferResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code ModelStreamInfer} call: every request is answered, in the order it arrived, by one
 * {@code ModelStreamInferResponse}, and a failed request answers with its {@code error_message}
 * while the stream stays open. Each answer names the route that chose its version (stable,
 * canary, pinned) in {@code parameters["sluice_route"]}, since a stream's headers go out once.
 *
 * <p>Requests start as soon as they arrive, so a stream's requests can share a batch, but their
 * answers are chained: answer <i>n</i> is written only after answer <i>n - 1</i> has been written.
 * The chain is what serializes the writes to the (not thread-safe) response observer, although
 * answers complete on the runtime's threads; the final {@code onCompleted} hangs off the same
 * chain. Answers that complete after the client has gone away are dropped.
 */
final class StreamInferCall implements StreamObserver<ModelInferRequest> {
  private static final Logger logger = LoggerFactory.getLogger(StreamInferCall.class);

  private final InferenceService service;
  private final ServerCallStreamObserver<ModelStreamInferResponse> responses;
  private final long deadlineNanos;
  private final Executor completion;

  // Only gRPC's inbound callbacks touch it, and gRPC never runs two of them at once.
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

  StreamInferCall(
      InferenceService service,
      ServerCallStreamObserver<ModelStreamInferResponse> responses,
      long deadlineNanos,
      Executor completion) {
    this.service = service;
    this.responses = responses;
    this.deadlineNanos = deadlineNanos;
    this.completion = completion;
    // Without a handler, a write after cancellation throws; send() checks for it instead.
    responses.setOnCancelHandler(() -> {});
  }

  @Override
  public void onNext(ModelInferRequest request) {
    CompletableFuture<ModelStreamInferResponse> answer = service
        .infer(request, deadlineNanos, responses::isCancelled, completion)
        .handle((response, failure) ->
            failure == null ? success(response) : failure(request, failure, service));
    tail = tail.thenCompose(previous -> answer).thenAccept(this::send);
  }

  @Override
  public void onError(Throwable t) {
    // The client cancelled or the transport failed: nothing more can be written.
    logger.debug("ModelStreamInfer ended by the client: {}", t.toString());
  }

  @Override
  public void onCompleted() {
    tail.whenComplete((ignored, failure) -> {
      if (responses.isCancelled()) {
        return;
      }
      try {
        responses.onCompleted();
      } catch (RuntimeException e) {
        logger.debug("ModelStreamInfer could not complete: {}", e.toString());
      }
    });
  }

  private static ModelStreamInferResponse success(ModelInferResponse response) {
    return ModelStreamInferResponse.newBuilder().setInferResponse(response).build();
  }

  private static ModelStreamInferResponse failure(
      ModelInferRequest request, Throwable failure, InferenceService service) {
    io.grpc.Status status = GrpcStatuses.toGrpc(failure);
    // The stream stays open, so the interceptor never sees this error: count and log it here.
    service.recordError(status.getCode().name());
    if (status.getCode() == io.grpc.Status.Code.INTERNAL) {
      logger.warn("ModelStreamInfer message failed: {}", status.getDescription(),
          status.getCause());
    }
    String message = status.getDescription() == null || status.getDescription().isEmpty()
        ? status.getCode().toString()
        : status.getDescription();
    return ModelStreamInferResponse.newBuilder()
        .setErrorMessage(message)
        .setInferResponse(ModelInferResponse.newBuilder()
            .setModelName(request.getModelName())
            .setModelVersion(request.getModelVersion())
            .setId(request.getId()))
        .build();
  }

  private void send(ModelStreamInferResponse response) {
    if (responses.isCancelled()) {
      return;
    }
    try {
      responses.onNext(response);
    } catch (RuntimeException e) {
      // Keep the chain alive so later answers and onCompleted still run.
      logger.debug("ModelStreamInfer could not write an answer: {}", e.toString());
    }
  }
}
