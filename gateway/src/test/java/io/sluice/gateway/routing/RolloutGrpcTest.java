package io.sluice.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.sluice.gateway.GatewayConfig;
import io.sluice.gateway.SluiceServer;
import io.sluice.proto.admin.v1.AdminProto.AdminRequest;
import io.sluice.proto.admin.v1.AdminProto.GetTrafficRequest;
import io.sluice.proto.admin.v1.AdminProto.PutFaultsRequest;
import io.sluice.proto.admin.v1.AdminProto.PutTrafficRequest;
import io.sluice.proto.admin.v1.TrafficAdminGrpc;
import io.sluice.proto.admin.v1.TrafficAdminGrpc.TrafficAdminBlockingStub;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import io.sluice.proto.inference.GrpcService.ModelStreamInferResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rollout admin API over gRPC ({@code sluice.admin.v1.TrafficAdmin}) and the route of each
 * streamed answer, on a real server with an admin token: {@code int_adder} as versions 1 and 3
 * (3 adds one more), called with grpc-java's own client.
 */
class RolloutGrpcTest {
  private static final String TOKEN = "grpc-rollout-token";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient http = HttpClient.newHttpClient();
  @TempDir static Path dir;
  private static SluiceServer server;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    Path examples = Path.of("../examples/model_repository/int_adder");
    Path model = Files.createDirectories(dir.resolve("repo/int_adder"));
    Files.copy(examples.resolve("config.pbtxt"), model.resolve("config.pbtxt"));
    for (String[] v : new String[][] {{"1", "1"}, {"3", "2"}}) {
      Files.createDirectories(model.resolve(v[0]));
      Files.copy(examples.resolve(v[1] + "/model.onnx"), model.resolve(v[0] + "/model.onnx"));
    }
    server = SluiceServer.start(GatewayConfig.builder()
        .modelRepository(dir.resolve("repo"))
        .host("127.0.0.1").httpPort(0).grpcPort(0).metricsPort(0).eventLoopThreads(1)
        .adminTokenFile(Files.writeString(dir.resolve("token"), TOKEN + "\n"))
        .build());
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext()
        .build();
  }

  @AfterAll
  static void stop() {
    channel.shutdownNow();
    server.close();
  }

  @BeforeEach
  void stableOnVersionOne() {
    admin().putTraffic(put("{\"stable\": \"1\"}"));
    admin().putFaults(PutFaultsRequest.newBuilder().setModel("int_adder").setVersion("3")
        .setFaultsJson("{}").build());
  }

  private static TrafficAdminBlockingStub admin() {
    return stub("Bearer " + TOKEN);
  }

  private static TrafficAdminBlockingStub stub(String authorization) {
    TrafficAdminBlockingStub stub = TrafficAdminGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS);
    if (authorization == null) {
      return stub;
    }
    Metadata m = new Metadata();
    m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
  }

  private static PutTrafficRequest put(String policy) {
    return PutTrafficRequest.newBuilder().setModel("int_adder").setPolicyJson(policy).build();
  }

  private static AdminRequest body(String json) {
    return AdminRequest.newBuilder().setModel("int_adder").setBodyJson(json).build();
  }

  private static JsonNode traffic() throws Exception {
    return JSON.readTree(admin().getTraffic(
        GetTrafficRequest.newBuilder().setModel("int_adder").build()).getTrafficJson());
  }

  private static HttpResponse<String> httpAdmin(String method, String path, String body)
      throws Exception {
    return http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.httpPort() + path))
        .method(method, HttpRequest.BodyPublishers.ofString(body))
        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aPolicyPutOverGrpcIsTheOneHttpShows() throws Exception {
    String status = admin().putTraffic(
        put("{\"stable\": \"1\", \"candidates\": [{\"version\": \"3\", \"weight\": 10}]}"))
        .getTrafficJson();

    JsonNode policy = JSON.readTree(status).get("policy");
    assertThat(policy.get("candidates").get(0).get("version").asText()).isEqualTo("3");
    assertThat(policy.get("candidates").get(0).get("weight").asDouble()).isEqualTo(10);
    HttpResponse<String> overHttp = httpAdmin("GET", "/v2/models/int_adder/traffic", "");
    assertThat(JSON.readTree(overHttp.body()).get("policy")).isEqualTo(policy);
  }

  @Test
  void aBadPolicyIsInvalidArgumentWithHttpsMessageAndChangesNothing() throws Exception {
    String bad = "{\"stable\": \"1\", \"candidates\": [{\"version\": \"3\", \"weight\": 150}]}";
    JsonNode before = traffic().get("policy");

    HttpResponse<String> overHttp = httpAdmin("PUT", "/v2/models/int_adder/traffic", bad);
    assertThatThrownBy(() -> admin().putTraffic(put(bad)))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Code.INVALID_ARGUMENT);
          assertThat(overHttp.statusCode()).isEqualTo(400);
          try {
            assertThat(e.getStatus().getDescription())
                .isEqualTo(JSON.readTree(overHttp.body()).get("error").asText())
                .contains("candidates[0].weight: 150 (expected: a number from 0 to 100)");
          } catch (java.io.IOException io) {
            throw new AssertionError(io);
          }
        });
    assertThat(traffic().get("policy")).isEqualTo(before);
  }

  @Test
  void everyAdminMethodWithoutTheTokenIsUnauthenticatedAndChangesNothing() throws Exception {
    JsonNode before = traffic().get("policy");
    for (TrafficAdminBlockingStub s : List.of(stub(null), stub("Bearer wrong"))) {
      List<Runnable> calls = List.of(
          () -> s.getTraffic(GetTrafficRequest.newBuilder().setModel("int_adder").build()),
          () -> s.putTraffic(put("{\"stable\": \"3\"}")),
          () -> s.promote(body("")),
          () -> s.rollback(body("")),
          () -> s.rollout(body("{\"candidate\": \"3\"}")),
          () -> s.putFaults(PutFaultsRequest.newBuilder().setModel("int_adder").setVersion("1")
              .setFaultsJson("{\"error_rate\": 1}").build()));
      for (Runnable call : calls) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Code.UNAUTHENTICATED));
      }
    }
    JsonNode after = traffic();
    assertThat(after.get("policy")).isEqualTo(before);
    assertThat(after.get("faults").toString()).doesNotContain("\"version\":\"1\"");
  }

  @Test
  void promoteMakesTheCandidateStable() throws Exception {
    admin().putTraffic(
        put("{\"stable\": \"1\", \"candidates\": [{\"version\": \"3\", \"weight\": 10}]}"));

    JsonNode status = JSON.readTree(admin().promote(body("")).getTrafficJson());

    assertThat(status.get("policy").get("stable").asText()).isEqualTo("3");
    assertThat(status.get("policy").get("candidates")).isEmpty();
  }

  @Test
  void rollbackSetsTheCandidatesWeightToZeroWithItsReason() throws Exception {
    admin().putTraffic(
        put("{\"stable\": \"1\", \"candidates\": [{\"version\": \"3\", \"weight\": 10}]}"));

    JsonNode status = JSON.readTree(
        admin().rollback(body("{\"reason\": \"drill\"}")).getTrafficJson());

    JsonNode candidate = status.get("state").get("candidates").get(0);
    assertThat(candidate.get("state").asText()).isEqualTo("rolled_back");
    assertThat(candidate.get("weight").asDouble()).isZero();
    assertThat(candidate.get("detail").asText()).isEqualTo("drill");
  }

  @Test
  void rolloutStartsWithTheShadowPhase() throws Exception {
    JsonNode status = JSON.readTree(admin().rollout(
        body("{\"candidate\": \"3\", \"shadow_s\": 600}")).getTrafficJson());

    assertThat(status.get("rollout").get("phase").asText()).isEqualTo("shadow");
    assertThat(status.get("rollout").get("candidate").asText()).isEqualTo("3");
    assertThat(status.get("policy").get("shadows").get(0).get("version").asText()).isEqualTo("3");
  }

  @Test
  void faultsAreSetPerVersionAndAnUnknownVersionIsNotFound() throws Exception {
    JsonNode status = JSON.readTree(admin().putFaults(PutFaultsRequest.newBuilder()
        .setModel("int_adder").setVersion("3").setFaultsJson("{\"delay_ms\": 5}").build())
        .getTrafficJson());
    assertThat(status.get("faults").get(0).get("version").asText()).isEqualTo("3");
    assertThat(status.get("faults").get(0).get("delay_ms").asLong()).isEqualTo(5);

    for (String version : new String[] {"9", "x1"}) {
      assertThatThrownBy(() -> admin().putFaults(PutFaultsRequest.newBuilder()
          .setModel("int_adder").setVersion(version).setFaultsJson("{}").build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Code.NOT_FOUND));
    }
    assertThatThrownBy(() -> admin().putFaults(PutFaultsRequest.newBuilder()
        .setModel("int_adder").setFaultsJson("{}").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Code.INVALID_ARGUMENT));
  }

  @Test
  void anUnknownModelIsNotFound() {
    assertThatThrownBy(() -> admin().getTraffic(
        GetTrafficRequest.newBuilder().setModel("nope").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Code.NOT_FOUND));
  }

  @Test
  void everyStreamedAnswerNamesItsRoute() throws Exception {
    admin().putTraffic(
        put("{\"stable\": \"1\", \"candidates\": [{\"version\": \"3\", \"weight\": 50}]}"));

    List<ModelStreamInferResponse> answers = stream(200, null);

    assertThat(answers).hasSize(200).allSatisfy(a -> {
      assertThat(a.getErrorMessage()).isEmpty();
      String version = a.getInferResponse().getModelVersion();
      assertThat(a.getInferResponse().getParametersMap().get("sluice_route").getStringParam())
          .isEqualTo(version.equals("3") ? "canary" : "stable");
    });
    // Both arms answered, so the parameter was not the same on every answer by accident.
    assertThat(answers).extracting(a -> a.getInferResponse().getModelVersion())
        .contains("1", "3");
    assertThat(stream(3, "3")).allSatisfy(a -> assertThat(
        a.getInferResponse().getParametersMap().get("sluice_route").getStringParam())
        .isEqualTo("pinned"));
  }

  private static List<ModelStreamInferResponse> stream(int n, String pin) throws Exception {
    List<ModelStreamInferResponse> answers = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    var stub = GRPCInferenceServiceGrpc.newStub(channel);
    if (pin != null) {
      Metadata m = new Metadata();
      m.put(Metadata.Key.of("x-sluice-version", Metadata.ASCII_STRING_MARSHALLER), pin);
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
    }
    StreamObserver<ModelInferRequest> requests = stub.modelStreamInfer(new StreamObserver<>() {
      @Override
      public void onNext(ModelStreamInferResponse value) {
        answers.add(value);
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        done.complete(null);
      }
    });
    for (int i = 0; i < n; i++) {
      requests.onNext(request());
    }
    requests.onCompleted();
    done.get(30, TimeUnit.SECONDS);
    return answers;
  }

  private static ModelInferRequest request() {
    ByteBuffer a = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
    for (long i = 0; i < 4; i++) {
      a.putLong(i);
      b.putLong(10);
    }
    return ModelInferRequest.newBuilder()
        .setModelName("int_adder")
        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("a")
            .setDatatype("INT64").addShape(4))
        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("b")
            .setDatatype("INT64").addShape(4))
        .addRawInputContents(com.google.protobuf.ByteString.copyFrom(a.array()))
        .addRawInputContents(com.google.protobuf.ByteString.copyFrom(b.array()))
        .build();
  }
}
