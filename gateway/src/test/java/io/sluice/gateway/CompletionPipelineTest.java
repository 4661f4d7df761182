package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.sluice.gateway.core.InferenceEvent;
import io.sluice.gateway.model.BackendRegistry;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import io.sluice.proto.inference.GrpcService.InferParameter;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import io.sluice.proto.inference.GrpcService.ModelInferRequest.InferInputTensor;
import io.sluice.runtime.Status;
import io.sluice.runtime.onnx.OnnxBackendProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The request context and the completion pipeline end to end: the configured headers and
 * metadata reach the context, every request that reached a version produces one event, and
 * that event (the completion) runs on an event loop, never on the engine's instance thread.
 */
class CompletionPipelineTest {
  private static final String TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  private static final LinkedBlockingQueue<Seen> events = new LinkedBlockingQueue<>();
  private static SluiceServer server;

  /** What the listener copied out of an event, and on which thread. */
  record Seen(InferenceEvent event, String thread) {}

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
                .contextHeaders("X-Tenant, x-canary")
                .build(),
            BackendRegistry.of(new OnnxBackendProvider()),
            List.of(e -> events.add(new Seen(e, Thread.currentThread().getName()))));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static Seen next() throws InterruptedException {
    Seen s = events.poll(10, TimeUnit.SECONDS);
    assertThat(s).as("an inference event").isNotNull();
    return s;
  }

  @Test
  void httpHeadersIdAndParametersReachTheContextAndTheCompletionRunsOnTheEventLoop()
      throws Exception {
    events.clear();
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort()
                        + "/v2/models/iris_classifier/infer"))
                    .header("x-tenant", "acme")
                    .header("traceparent", TRACEPARENT)
                    .header("x-ignored", "not configured")
                    .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"id\":\"req-7\",\"parameters\":{\"sticky\":\"user-42\"},"
                            + "\"inputs\":[{\"name\":\"float_input\",\"datatype\":\"FP32\","
                            + "\"shape\":[1,4],\"data\":[5.1,3.5,1.4,0.2]}]}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);

    Seen s = next();
    assertThat(s.thread()).startsWith("sluice-io");
    InferenceEvent e = s.event();
    assertThat(e.succeeded()).isTrue();
    assertThat(e.role()).isEqualTo(InferenceEvent.Role.PRIMARY);
    assertThat(e.version().name()).isEqualTo("iris_classifier");
    assertThat(e.context().id()).isEqualTo("req-7");
    assertThat(e.context().header("x-tenant")).isEqualTo("acme");
    assertThat(e.context().traceParent()).isEqualTo(TRACEPARENT);
    assertThat(e.context().headers()).doesNotContainKey("x-ignored");
    assertThat(e.context().parameters()).containsEntry("sticky", "user-42");
    assertThat(e.inputs()).hasSize(1);
    assertThat(e.outputs()).isNotEmpty();
    assertThat(e.version().inFlight()).isZero();
  }

  @Test
  void grpcMetadataReachesTheContextAndARejectedRequestIsAnEventToo() throws Exception {
    events.clear();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    try {
      Metadata md = new Metadata();
      md.put(Metadata.Key.of("x-canary", Metadata.ASCII_STRING_MARSHALLER), "on");
      var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
      ByteBuffer features = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      features.putFloat(5.1f).putFloat(3.5f).putFloat(1.4f).putFloat(0.2f);
      ModelInferRequest.Builder request =
          ModelInferRequest.newBuilder()
              .setModelName("iris_classifier")
              .setId("g-1")
              .putParameters("sticky", InferParameter.newBuilder().setInt64Param(9).build())
              .addInputs(InferInputTensor.newBuilder().setName("float_input")
                  .setDatatype("FP32").addShape(1).addShape(4))
              .addRawInputContents(ByteString.copyFrom(features.array()));
      stub.modelInfer(request.build());

      Seen ok = next();
      assertThat(ok.thread()).startsWith("sluice-io");
      assertThat(ok.event().context().header("x-canary")).isEqualTo("on");
      assertThat(ok.event().context().id()).isEqualTo("g-1");
      assertThat(ok.event().context().parameters()).containsEntry("sticky", "9");

      // A wrong datatype reaches the version, fails validation, and is still one event.
      request.setInputs(0, request.getInputs(0).toBuilder().setDatatype("FP64"))
          .setRawInputContents(0, ByteString.copyFrom(new byte[32]));
      try {
        stub.modelInfer(request.build());
      } catch (io.grpc.StatusRuntimeException expected) {
        assertThat(expected.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
      }
      Seen bad = next();
      assertThat(bad.event().succeeded()).isFalse();
      assertThat(bad.event().status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(bad.event().version().inFlight()).isZero();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
  @Test
  void anHttpRequestWithoutAnIdGetsAGeneratedOneInItsAnswerAndItsEvent() throws Exception {
    events.clear();
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort()
                        + "/v2/models/iris_classifier/infer"))
                    .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"inputs\":[{\"name\":\"float_input\",\"datatype\":\"FP32\","
                            + "\"shape\":[1,4],\"data\":[5.1,3.5,1.4,0.2]}]}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    String id = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body())
        .get("id").asText();

    assertThat(id).matches("[0-9a-f]{12}-[0-9]+");
    assertThat(next().event().context().id()).isEqualTo(id);
  }

  @Test
  void grpcRequestsWithoutAnIdGetDistinctGeneratedOnesInTheirAnswersAndEvents()
      throws Exception {
    events.clear();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    try {
      var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
      ByteBuffer features = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      features.putFloat(5.1f).putFloat(3.5f).putFloat(1.4f).putFloat(0.2f);
      ModelInferRequest request =
          ModelInferRequest.newBuilder()
              .setModelName("iris_classifier")
              .addInputs(InferInputTensor.newBuilder().setName("float_input")
                  .setDatatype("FP32").addShape(1).addShape(4))
              .addRawInputContents(ByteString.copyFrom(features.array()))
              .build();

      String first = stub.modelInfer(request).getId();
      String second = stub.modelInfer(request).getId();

      assertThat(first).matches("[0-9a-f]{12}-[0-9]+").isNotEqualTo(second);
      assertThat(next().event().context().id()).isEqualTo(first);
      assertThat(next().event().context().id()).isEqualTo(second);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
