package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.sluice.gateway.model.BackendRegistry;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import io.sluice.proto.inference.GrpcService.ModelInferRequest.InferInputTensor;
import io.sluice.proto.inference.GrpcService.ModelInferResponse;
import io.sluice.runtime.onnx.OnnxBackendProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Graceful shutdown, step by step, with a real model whose engine run is held at a gate: while
 * one HTTP request is running and one gRPC request is queued behind it, {@link
 * SluiceServer#close()} turns readiness false at once and refuses new requests (503 / UNAVAILABLE),
 * then finishes both admitted requests before it returns.
 */
class GracefulShutdownTest {
  private static final String MODEL = "iris_classifier";
  private static final String JSON =
      "{\"inputs\":[{\"name\":\"float_input\",\"datatype\":\"FP32\",\"shape\":[1,4],"
          + "\"data\":[5.1,3.5,1.4,0.2]}]}";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void shutdownRefusesNewRequestsAndFinishesAdmittedOnes() throws Exception {
    HoldingProvider engine = new HoldingProvider(new OnnxBackendProvider());
    SluiceServer server =
        SluiceServer.start(
            GatewayConfig.builder()
                .modelRepository(Path.of("../examples/model_repository"))
                .host("127.0.0.1")
                .httpPort(0)
                .grpcPort(0)
                .metricsPort(0)
                .eventLoopThreads(2)
                .shutdownGraceSeconds(30)
                .build(),
            BackendRegistry.of(engine),
            List.of());
    int httpPort = server.httpPort();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    CompletableFuture<Void> closing = null;
    try {
      var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
      assertThat(infer(httpPort).statusCode()).isEqualTo(200);
      assertThat(stub.modelInfer(grpcRequest()).getOutputsCount()).isPositive();

      CountDownLatch release = engine.holdNextRun();
      CompletableFuture<HttpResponse<String>> running = inferAsync(httpPort);
      engine.awaitHeld();
      CompletableFuture<ModelInferResponse> queued =
          CompletableFuture.supplyAsync(
              () -> stub.withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(grpcRequest()));
      await().atMost(Duration.ofSeconds(10)).until(() -> server.inFlightRequests() == 2);

      closing = CompletableFuture.runAsync(server::close);
      await().atMost(Duration.ofSeconds(10))
          .until(() -> get(httpPort, "/v2/health/ready").statusCode() == 503);
      HttpResponse<String> refused = infer(httpPort);
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.body()).contains("shutting down");
      assertThat(closing).isNotDone();
      assertThat(running).isNotDone();
      assertThat(queued).isNotDone();

      release.countDown();
      HttpResponse<String> answered = running.get(30, TimeUnit.SECONDS);
      assertThat(answered.statusCode()).isEqualTo(200);
      assertThat(answered.body()).contains("\"model_name\":\"" + MODEL + "\"");
      assertThat(queued.get(30, TimeUnit.SECONDS).getOutputsCount()).isPositive();
      closing.get(30, TimeUnit.SECONDS);

      // Closed: the gRPC channel now finds no server.
      AtomicReference<io.grpc.Status.Code> after = new AtomicReference<>();
      try {
        stub.withDeadlineAfter(5, TimeUnit.SECONDS).modelInfer(grpcRequest());
      } catch (StatusRuntimeException e) {
        after.set(e.getStatus().getCode());
      }
      assertThat(after.get()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
    } finally {
      engine.releaseAll();
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      if (closing == null) {
        server.close();
      }
    }
  }

  @Test
  void aShutdownWithNothingInFlightReturnsAtOnce() throws Exception {
    SluiceServer server =
        SluiceServer.start(
            GatewayConfig.builder()
                .modelRepository(Path.of("../examples/model_repository"))
                .host("127.0.0.1")
                .httpPort(0)
                .grpcPort(0)
                .metricsPort(0)
                .eventLoopThreads(1)
                .shutdownGraceSeconds(60)
                .build());
    assertThat(infer(server.httpPort()).statusCode()).isEqualTo(200);
    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
    // Well inside the 60 s grace: nothing was in flight, so there is nothing to wait for.
    closing.get(20, TimeUnit.SECONDS);
    assertThat(server.api().isReady()).isFalse();
  }

  private HttpResponse<String> infer(int port) throws Exception {
    return inferAsync(port).get(30, TimeUnit.SECONDS);
  }

  private CompletableFuture<HttpResponse<String>> inferAsync(int port) {
    return http.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/models/" + MODEL
                + "/infer"))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(JSON))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static ModelInferRequest grpcRequest() {
    ByteBuffer features = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    features.putFloat(5.1f).putFloat(3.5f).putFloat(1.4f).putFloat(0.2f);
    return ModelInferRequest.newBuilder()
        .setModelName(MODEL)
        .addInputs(
            InferInputTensor.newBuilder()
                .setName("float_input")
                .setDatatype("FP32")
                .addShape(1)
                .addShape(4))
        .addRawInputContents(ByteString.copyFrom(features.array()))
        .build();
  }
}
