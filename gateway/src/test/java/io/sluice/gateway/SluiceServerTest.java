package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import io.sluice.proto.inference.GrpcService.ModelInferResponse;
import io.sluice.proto.inference.GrpcService.ServerReadyRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The whole process in-process on ephemeral ports: HTTP, gRPC and metrics on one event loop set. */
class SluiceServerTest {
  private static SluiceServer server;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    server =
        SluiceServer.start(
            GatewayConfig.builder()
                .modelRepository(Path.of("../examples/model_repository"))
                .host("127.0.0.1")
                .httpPort(0)
                .grpcPort(0)
                .metricsPort(0)
                .eventLoopThreads(1)
                .build());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void httpAndGrpcAnswerFromTheSameModels() throws Exception {
    assertThat(get(server.httpPort(), "/v2/health/ready").body()).isEqualTo("{\"ready\":true}");

    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    try {
      var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
      assertThat(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
      ByteBuffer a = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
      for (long i = 0; i < 4; i++) {
        a.putLong(i);
        b.putLong(10);
      }
      ModelInferResponse r =
          stub.modelInfer(
              ModelInferRequest.newBuilder()
                  .setModelName("int_adder")
                  .addInputs(input("a"))
                  .addInputs(input("b"))
                  .addRawInputContents(com.google.protobuf.ByteString.copyFrom(a.array()))
                  .addRawInputContents(com.google.protobuf.ByteString.copyFrom(b.array()))
                  .build());
      assertThat(r.getModelVersion()).isEqualTo("2");
      ByteBuffer sum = r.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      // Version 2 adds one more: a + b + 1.
      assertThat(sum.getLong(0)).isEqualTo(11);
      assertThat(sum.getLong(24)).isEqualTo(14);
    } finally {
      channel.shutdownNow();
    }
  }

  private static ModelInferRequest.InferInputTensor input(String name) {
    return ModelInferRequest.InferInputTensor.newBuilder()
        .setName(name)
        .setDatatype("INT64")
        .addShape(4)
        .build();
  }

  @Test
  void metricsPortServesTritonFamilies() throws Exception {
    String text = get(server.metricsPort(), "/metrics").body();

    assertThat(text)
        .contains("nv_inference_request_success_total{model=\"iris_classifier\",version=\"1\"}")
        .contains("nv_inference_pending_request_count{model=\"tiny_mlp\",version=\"1\"}")
        .contains("nv_inference_request_failure_total{model=\"tiny_mlp\",reason=\"REJECTED\"");
  }

  @Test
  void rejectedRequestsAreCountedByProtocolAndCode() throws Exception {
    HttpResponse<String> bad =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.httpPort() + "/v2/models/tiny_mlp/infer"))
                .POST(HttpRequest.BodyPublishers.ofString("{not json"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(bad.statusCode()).isEqualTo(400);
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    try {
      var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> stub.modelInfer(ModelInferRequest.newBuilder().setModelName("nope").build()))
          .hasMessageContaining("NOT_FOUND");
    } finally {
      channel.shutdownNow();
    }

    String text = get(server.metricsPort(), "/metrics").body();

    assertThat(text)
        .contains("sluice_request_errors_total{code=\"INVALID_ARGUMENT\",protocol=\"http\"}")
        .contains("sluice_request_errors_total{code=\"NOT_FOUND\",protocol=\"grpc\"}");
  }
}
