package io.sluice.gateway.grpc;

import static io.sluice.gateway.grpc.InferMessages.floats;
import static io.sluice.gateway.grpc.InferMessages.input;
import static io.sluice.gateway.grpc.InferMessages.rawFloats;
import static io.sluice.gateway.grpc.InferMessages.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.stub.StreamObserver;
import io.sluice.gateway.core.V2InferResponse;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import io.sluice.proto.inference.GrpcService.ModelStreamInferResponse;
import io.sluice.runtime.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ModelStreamInferTest {
  private static GrpcTestServer server;

  @BeforeAll
  static void startServer() {
    server = new GrpcTestServer();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void resetFake() {
    server.api.reset();
  }

  /** The client side of one stream: what came back, and whether the server completed it. */
  private static final class Collector implements StreamObserver<ModelStreamInferResponse> {
    final List<ModelStreamInferResponse> responses = new CopyOnWriteArrayList<>();
    final CountDownLatch completed = new CountDownLatch(1);
    volatile Throwable error;

    @Override
    public void onNext(ModelStreamInferResponse response) {
      responses.add(response);
    }

    @Override
    public void onError(Throwable t) {
      error = t;
      completed.countDown();
    }

    @Override
    public void onCompleted() {
      completed.countDown();
    }

    List<String> ids() {
      return responses.stream().map(r -> r.getInferResponse().getId()).toList();
    }

    void awaitCompleted() throws InterruptedException {
      assertThat(completed.await(5, TimeUnit.SECONDS)).as("stream completed").isTrue();
      assertThat(error).as("stream error").isNull();
    }
  }

  private static Collector send(ModelInferRequest... requests) {
    Collector collector = new Collector();
    StreamObserver<ModelInferRequest> stream = server.async().modelStreamInfer(collector);
    for (ModelInferRequest request : requests) {
      stream.onNext(request);
    }
    stream.onCompleted();
    return collector;
  }

  @Test
  void answersComeInTheOrderRequestsArrivedEvenWhenTheyCompleteInReverse() throws Exception {
    Map<String, CompletableFuture<V2InferResponse>> pending = new ConcurrentHashMap<>();
    server.api.inferBehaviour = (model, version, request) ->
        pending.computeIfAbsent(request.id(), id -> new CompletableFuture<>());

    Collector collector = send(rawFloats("a", 1f), rawFloats("b", 2f), rawFloats("c", 3f));
    await().atMost(Duration.ofSeconds(5)).until(() -> pending.size() == 3);
    for (String id : List.of("c", "b", "a")) {
      var call = server.api.inferCalls.stream()
          .filter(c -> c.request().id().equals(id)).findFirst().orElseThrow();
      pending.get(id).complete(
          FakeServingApi.echo(call.model(), call.version(), call.request()).join());
    }

    collector.awaitCompleted();
    assertThat(collector.ids()).containsExactly("a", "b", "c");
    assertThat(collector.responses).allSatisfy(r -> assertThat(r.getErrorMessage()).isEmpty());
  }

  @Test
  void aBadRequestInTheMiddleAnswersWithItsErrorAndTheStreamGoesOn() throws Exception {
    ModelInferRequest bad = request("b")
        .addInputs(input("A", "FP32", 1))
        .addInputs(input("B", "FP32", 1))
        .addRawInputContents(floats(1f))
        .build();

    Collector collector = send(rawFloats("a", 1f), bad, rawFloats("c", 3f));

    collector.awaitCompleted();
    assertThat(collector.ids()).containsExactly("a", "b", "c");
    assertThat(collector.responses.get(0).getErrorMessage()).isEmpty();
    assertThat(collector.responses.get(1).getErrorMessage())
        .contains("raw_input_contents has 1 entries for 2 inputs");
    assertThat(collector.responses.get(2).getErrorMessage()).isEmpty();
    assertThat(collector.responses.get(2).getInferResponse().getRawOutputContents(0))
        .isEqualTo(floats(3f));
  }

  @Test
  void aModelFailureAnswersWithItsErrorMessageAndTheRequestId() throws Exception {
    server.api.inferBehaviour = (model, version, request) ->
        CompletableFuture.failedFuture(Status.unavailable("queue is full").asException());

    Collector collector = send(rawFloats("x", 1f));

    collector.awaitCompleted();
    assertThat(collector.responses).singleElement().satisfies(r -> {
      assertThat(r.getErrorMessage()).isEqualTo("queue is full");
      assertThat(r.getInferResponse().getId()).isEqualTo("x");
      assertThat(r.getInferResponse().getModelName()).isEqualTo(FakeServingApi.MODEL);
    });
  }

  @Test
  void anUnknownModelAnswersWithAnErrorMessageAndTheStreamGoesOn() throws Exception {
    Collector collector = send(
        rawFloats("x", 1f).toBuilder().setModelName("nope").build(), rawFloats("y", 2f));

    collector.awaitCompleted();
    assertThat(collector.responses.get(0).getErrorMessage()).contains("unknown model 'nope'");
    assertThat(collector.responses.get(1).getErrorMessage()).isEmpty();
  }

  @Test
  void theServerCompletesTheStreamOnlyAfterTheLastAnswer() throws Exception {
    CompletableFuture<V2InferResponse> slow = new CompletableFuture<>();
    server.api.inferBehaviour = (model, version, request) -> slow;

    Collector collector = send(rawFloats("s", 1f));
    await().atMost(Duration.ofSeconds(5)).until(() -> server.api.inferCalls.size() == 1);
    assertThat(collector.completed.await(100, TimeUnit.MILLISECONDS)).isFalse();
    var call = server.api.lastCall();
    slow.complete(FakeServingApi.echo(call.model(), call.version(), call.request()).join());

    collector.awaitCompleted();
    assertThat(collector.ids()).containsExactly("s");
  }

  @Test
  void manyConcurrentAnswersAreAllWrittenInOrder() throws Exception {
    server.api.inferBehaviour = (model, version, request) -> CompletableFuture.supplyAsync(
        () -> FakeServingApi.echo(model, version, request).join(),
        // Later requests often finish first: the delay cycles through 0..4 ms.
        CompletableFuture.delayedExecutor(
            (Integer.parseInt(request.id()) * 3L) % 5, TimeUnit.MILLISECONDS));
    ModelInferRequest[] requests = new ModelInferRequest[200];
    for (int i = 0; i < requests.length; i++) {
      requests[i] = rawFloats(Integer.toString(i), i);
    }

    Collector collector = send(requests);

    collector.awaitCompleted();
    assertThat(collector.ids()).containsExactlyElementsOf(
        IntStream.range(0, requests.length).mapToObj(Integer::toString).toList());
  }
}
