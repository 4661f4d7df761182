package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.sluice.gateway.model.BackendRegistry;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import io.sluice.proto.inference.GrpcService.ModelInferRequest.InferInputTensor;
import io.sluice.runtime.onnx.OnnxBackendProvider;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Load shedding at the front door, through the real HTTP and gRPC servers with a real model: with
 * {@code --max-inflight-requests 1} and one request held in its engine run, a second inference
 * request is refused at once (HTTP 503 with {@code Retry-After} and {@code {"error":…}}, gRPC
 * UNAVAILABLE with the retry trailers) and counted, the held one still succeeds, health is not
 * refused, and once the held request is answered a request under the limit succeeds.
 */
class FrontDoorAdmissionTest {
  private static final String MODEL = "iris_classifier";
  private static final String JSON =
      "{\"inputs\":[{\"name\":\"float_input\",\"datatype\":\"FP32\",\"shape\":[1,4],"
          + "\"data\":[5.1,3.5,1.4,0.2]}]}";
  private static final Metadata.Key<String> PUSHBACK =
      Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final HoldingProvider engine = new HoldingProvider(new OnnxBackendProvider());
  private SluiceServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    server = SluiceServer.start(
        GatewayConfig.builder()
            .modelRepository(Path.of("../examples/model_repository"))
            .host("127.0.0.1")
            .httpPort(0)
            .grpcPort(0)
            .metricsPort(0)
            .eventLoopThreads(1)
            .maxInflightRequests(1)
            .build(),
        BackendRegistry.of(engine),
        List.of());
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    engine.releaseAll();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  @Test
  void aRequestOverTheLimitIsRefusedAndTheAdmittedOneStillSucceeds() throws Exception {
    CountDownLatch release = engine.holdNextRun();
    CompletableFuture<HttpResponse<String>> held = send(infer(false));
    engine.awaitHeld();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.inFlightRequests() == 1);

    HttpResponse<String> refused = send(infer(false)).get(30, TimeUnit.SECONDS);
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
    assertThat(refused.body()).startsWith("{\"error\":").contains("--max-inflight-requests");

    var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS);
    StatusRuntimeException grpcRefused =
        catchThrowableOfType(() -> stub.modelInfer(grpcRequest()), StatusRuntimeException.class);
    assertThat(grpcRefused.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
    assertThat(grpcRefused.getTrailers().get(PUSHBACK)).isEqualTo("1000");

    assertThat(get("/v2/health/ready").statusCode()).as("health is never shed").isEqualTo(200);
    assertThat(held).as("the admitted request is untouched").isNotDone();
    assertThat(server.inFlightRequests()).isEqualTo(1);
    assertThat(scrape()).contains(
        "sluice_requests_dropped_total{model=\"\",reason=\"inflight_limit\",version=\"\"} 2.0");
    // Each refusal's own cost on the server, apart from what its client saw.
    assertThat(scrape()).contains(
        "sluice_admission_reject_seconds_count{protocol=\"http\"} 1",
        "sluice_admission_reject_seconds_count{protocol=\"grpc\"} 1",
        "sluice_admission_reject_seconds_bucket{protocol=\"http\",le=\"0.001\"}");

    release.countDown();
    HttpResponse<String> answered = held.get(30, TimeUnit.SECONDS);
    assertThat(answered.statusCode()).isEqualTo(200);
    assertThat(answered.body()).contains("\"model_name\":\"" + MODEL + "\"");
  }

  @Test
  void underTheLimitRequestsSucceedOnTheConnectionThatWasRefused() throws Exception {
    CountDownLatch release = engine.holdNextRun();
    CompletableFuture<HttpResponse<String>> held = send(infer(false));
    engine.awaitHeld();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.inFlightRequests() == 1);
    assertThat(send(infer(false)).get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(503);
    release.countDown();
    assertThat(held.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.inFlightRequests() == 0);

    // The refused body was read and dropped: the keep-alive connections frame the next request.
    for (int i = 0; i < 3; i++) {
      assertThat(send(infer(false)).get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    assertThat(GRPCInferenceServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS).modelInfer(grpcRequest()).getOutputsCount())
        .isPositive();
  }

  @Test
  void aRefusedRequestThatExpectsContinueIsAnsweredWithoutItsBody() throws Exception {
    CountDownLatch release = engine.holdNextRun();
    CompletableFuture<HttpResponse<String>> held = send(infer(false));
    engine.awaitHeld();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.inFlightRequests() == 1);

    try (Socket socket = new Socket("127.0.0.1", server.httpPort())) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(("POST /v2/models/" + MODEL + "/infer HTTP/1.1\r\n"
          + "Host: localhost\r\nContent-Type: application/json\r\n"
          + "Expect: 100-continue\r\nContent-Length: " + JSON.length() + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      // The body is never sent: the refusal comes instead of 100 Continue, then the close.
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 503 ").containsIgnoringCase("retry-after: 1")
          .containsIgnoringCase("connection: close").contains("{\"error\":")
          .doesNotContain("100 Continue");
    }

    release.countDown();
    assertThat(held.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.inFlightRequests() == 0);
    assertThat(send(infer(true)).get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  private CompletableFuture<HttpResponse<String>> send(HttpRequest request) {
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest infer(boolean expectContinue) {
    return HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + server.httpPort() + "/v2/models/" + MODEL + "/infer"))
        .timeout(Duration.ofSeconds(30))
        .expectContinue(expectContinue)
        .POST(HttpRequest.BodyPublishers.ofString(JSON))
        .build();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
            .timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String scrape() throws Exception {
    return http.send(
        HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static ModelInferRequest grpcRequest() {
    ByteBuffer features = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    features.putFloat(5.1f).putFloat(3.5f).putFloat(1.4f).putFloat(0.2f);
    return ModelInferRequest.newBuilder()
        .setModelName(MODEL)
        .addInputs(InferInputTensor.newBuilder()
            .setName("float_input").setDatatype("FP32").addShape(1).addShape(4))
        .addRawInputContents(ByteString.copyFrom(features.array()))
        .build();
  }
}
