package io.sluice.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.sluice.gateway.GatewayConfig;
import io.sluice.gateway.SluiceServer;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import io.sluice.proto.inference.GrpcService.ModelInferResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollouts on a real server over the wire: the committed {@code int_adder} as three versions —
 * 1 and 2 the same graph, 3 the graph that adds one more — with an admin token.
 */
class RolloutServerTest {
  private static final String TOKEN = "rollout-test-token";
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
    for (String[] v : new String[][] {{"1", "1"}, {"2", "1"}, {"3", "2"}}) {
      Files.createDirectories(model.resolve(v[0]));
      Files.copy(examples.resolve(v[1] + "/model.onnx"), model.resolve(v[0] + "/model.onnx"));
    }
    Path token = Files.writeString(dir.resolve("token"), TOKEN + "\n");
    server = SluiceServer.start(GatewayConfig.builder()
        .modelRepository(dir.resolve("repo"))
        .host("127.0.0.1").httpPort(0).grpcPort(0).metricsPort(0).eventLoopThreads(1)
        .contextHeaders("x-user-id")
        .adminTokenFile(token)
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
  void stableOnVersionOne() throws Exception {
    assertThat(admin("PUT", "/v2/models/int_adder/traffic", "{\"stable\": \"1\"}").statusCode())
        .isEqualTo(200);
    for (String v : new String[] {"1", "2", "3"}) {
      admin("PUT", "/v2/models/int_adder/versions/" + v + "/faults", "{}");
    }
  }

  private static HttpResponse<String> admin(String method, String path, String body)
      throws Exception {
    return send(method, path, body, "Bearer " + TOKEN);
  }

  private static HttpResponse<String> send(String method, String path, String body,
      String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.httpPort() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  // A fixed id: without one every answer carries a new generated id, and answers are compared
  // byte for byte.
  private static final String INFER_BODY = "{\"id\": \"same-request\", \"inputs\": ["
      + "{\"name\": \"a\", \"shape\": [4], \"datatype\": \"INT64\", \"data\": [1, 2, 3, 4]},"
      + "{\"name\": \"b\", \"shape\": [4], \"datatype\": \"INT64\", \"data\": [10, 10, 10, 10]}]}";

  private static HttpResponse<String> infer(String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + server.httpPort() + "/v2/models/int_adder/infer"))
        .POST(HttpRequest.BodyPublishers.ofString(INFER_BODY));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode traffic() throws Exception {
    return JSON.readTree(admin("GET", "/v2/models/int_adder/traffic", null).body());
  }

  @Test
  void aPinnedRequestReachesItsVersionOverHttp() throws Exception {
    HttpResponse<String> r = infer("x-sluice-version", "3");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).get("model_version").asText()).isEqualTo("3");
    assertThat(r.headers().firstValue("x-sluice-route")).hasValue("pinned");
    HttpResponse<String> stable = infer();
    assertThat(JSON.readTree(stable.body()).get("model_version").asText()).isEqualTo("1");
    assertThat(stable.headers().firstValue("x-sluice-route")).hasValue("stable");
  }

  @Test
  void aPinToAVersionThatIsNotLoadedIs404() throws Exception {
    HttpResponse<String> r = infer("x-sluice-version", "9");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("version 9").contains("not loaded");
  }

  @Test
  void aPinnedRequestReachesItsVersionOverGrpc() {
    Metadata pin = new Metadata();
    pin.put(Metadata.Key.of("x-sluice-version", Metadata.ASCII_STRING_MARSHALLER), "3");
    AtomicReference<Metadata> headers = new AtomicReference<>();
    var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel).withInterceptors(
        MetadataUtils.newAttachHeadersInterceptor(pin),
        MetadataUtils.newCaptureMetadataInterceptor(headers, new AtomicReference<>()));
    ModelInferResponse r = stub.modelInfer(grpcRequest());
    assertThat(r.getModelVersion()).isEqualTo("3");
    assertThat(headers.get().get(Metadata.Key.of("x-sluice-route",
        Metadata.ASCII_STRING_MARSHALLER))).isEqualTo("pinned");

    Metadata missing = new Metadata();
    missing.put(Metadata.Key.of("x-sluice-version", Metadata.ASCII_STRING_MARSHALLER), "9");
    var bad = GRPCInferenceServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(missing));
    try {
      bad.modelInfer(grpcRequest());
      throw new AssertionError("a pin to version 9 was answered");
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.NOT_FOUND);
    }
  }

  private static ModelInferRequest grpcRequest() {
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

  @Test
  void aBadPolicyIs400AndChangesNothing() throws Exception {
    String before = traffic().get("policy").toString();
    HttpResponse<String> r = admin("PUT", "/v2/models/int_adder/traffic",
        "{\"stable\": \"1\", \"candidates\": [{\"version\": \"3\", \"weight\": 150}]}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("candidates[0].weight: 150 (expected: a number from 0 to 100)");
    HttpResponse<String> unknown = admin("PUT", "/v2/models/int_adder/traffic",
        "{\"stable\": \"1\", \"candidates\": [{\"version\": \"7\", \"weight\": 10}]}");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("version 7").contains("[1, 2, 3]");
    HttpResponse<String> sticky = admin("PUT", "/v2/models/int_adder/traffic",
        "{\"stable\": \"1\", \"sticky\": {\"header\": \"x-not-read\"}}");
    assertThat(sticky.statusCode()).isEqualTo(400);
    assertThat(sticky.body()).contains("--context-headers");
    assertThat(traffic().get("policy").toString()).isEqualTo(before);
  }

  @Test
  void adminCallsWithoutTheTokenChangeNothing() throws Exception {
    String before = traffic().get("policy").toString();
    String policy = "{\"stable\": \"3\"}";
    assertThat(send("PUT", "/v2/models/int_adder/traffic", policy, null).statusCode())
        .isEqualTo(401);
    assertThat(send("PUT", "/v2/models/int_adder/traffic", policy, "Bearer wrong").statusCode())
        .isEqualTo(401);
    assertThat(send("GET", "/v2/models/int_adder/traffic", null, null).statusCode())
        .isEqualTo(401);
    assertThat(send("PUT", "/v2/models/int_adder/versions/1/faults", "{\"error_rate\": 1}", null)
        .statusCode()).isEqualTo(401);
    assertThat(send("POST", "/v2/models/int_adder/rollback", "{}", null).statusCode())
        .isEqualTo(401);
    assertThat(traffic().get("policy").toString()).isEqualTo(before);
    assertThat(traffic().get("faults")).isEmpty();
    assertThat(infer().statusCode()).isEqualTo(200);
  }

  @Test
  void aFullCanaryAnswersOnItsRouteAndPromoteMakesItStable() throws Exception {
    admin("PUT", "/v2/models/int_adder/traffic",
        "{\"stable\": \"1\", \"candidates\": [{\"version\": \"3\", \"weight\": 100}]}");
    HttpResponse<String> r = infer();
    assertThat(JSON.readTree(r.body()).get("model_version").asText()).isEqualTo("3");
    assertThat(r.headers().firstValue("x-sluice-route")).hasValue("canary");
    assertThat(admin("POST", "/v2/models/int_adder/promote", "").statusCode()).isEqualTo(200);
    JsonNode t = traffic();
    assertThat(t.at("/policy/stable").asText()).isEqualTo("3");
    assertThat(t.at("/policy/candidates")).isEmpty();
    HttpResponse<String> after = infer();
    assertThat(after.headers().firstValue("x-sluice-route")).hasValue("stable");
    assertThat(JSON.readTree(after.body()).get("model_version").asText()).isEqualTo("3");
  }

  @Test
  void injectedErrorsOnTheCanaryRollItBackWithoutAClientError() throws Exception {
    admin("PUT", "/v2/models/int_adder/traffic", "{\"stable\": \"1\", \"candidates\":"
        + " [{\"version\": \"3\", \"weight\": 50}], \"guards\": {\"circuit_breaker\":"
        + " {\"minimum_calls\": 10, \"window\": 20}}}");
    assertThat(admin("PUT", "/v2/models/int_adder/versions/3/faults",
        "{\"error_rate\": 0.5, \"delay_ms\": 0}").statusCode()).isEqualTo(200);
    int failed = 0;
    for (int i = 0; i < 200; i++) {
      if (infer().statusCode() != 200) {
        failed++;
      }
    }
    assertThat(failed).as("requests the client saw fail").isZero();
    JsonNode t = traffic();
    JsonNode canary = t.at("/state/candidates/0");
    assertThat(canary.get("state").asText()).isEqualTo("rolled_back");
    assertThat(canary.get("reason").asText()).isEqualTo("error_rate");
    assertThat(canary.get("weight").asDouble()).isZero();
    assertThat(t.at("/faults/0/injected_errors").asLong()).isPositive();
    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + server.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body()).contains(
        "sluice_rollbacks_total{model=\"int_adder\",reason=\"error_rate\",version=\"3\"} 1.0");
    HttpResponse<String> r = infer();
    assertThat(r.headers().firstValue("x-sluice-route")).hasValue("stable");
  }

  @Test
  void aShadowNeverChangesTheAnswer() throws Exception {
    String without = infer().body();
    admin("PUT", "/v2/models/int_adder/traffic",
        "{\"stable\": \"1\", \"shadows\": [{\"version\": \"3\", \"fraction\": 1.0}]}");
    for (int i = 0; i < 20; i++) {
      assertThat(infer().body()).isEqualTo(without);
    }
  }

  @Test
  void twoCopiesOfTheSameModelAgreeFullyAndADifferentOneDoesNot() throws Exception {
    admin("PUT", "/v2/models/int_adder/traffic", "{\"stable\": \"1\", \"shadows\":"
        + " [{\"version\": \"2\", \"fraction\": 1.0}, {\"version\": \"3\", \"fraction\": 1.0}]}");
    for (int i = 0; i < 50; i++) {
      assertThat(infer().statusCode()).isEqualTo(200);
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      JsonNode scores = traffic().get("shadow_scores");
      assertThat(scores).hasSizeGreaterThanOrEqualTo(2);
      JsonNode same = find(scores, "2");
      JsonNode other = find(scores, "3");
      assertThat(same.get("agree").asLong() + same.get("disagree").asLong()).isGreaterThanOrEqualTo(50);
      assertThat(other.get("agree").asLong() + other.get("disagree").asLong()).isGreaterThanOrEqualTo(50);
      assertThat(same.get("agreement").asDouble()).isEqualTo(1.0);
      assertThat(other.get("agreement").asDouble()).isEqualTo(0.0);
    });
  }

  private static JsonNode find(JsonNode scores, String shadow) {
    for (JsonNode s : scores) {
      if (s.get("shadow").asText().equals(shadow) && s.get("primary").asText().equals("1")) {
        return s;
      }
    }
    throw new AssertionError("no score for shadow " + shadow + " in " + scores);
  }

  @Test
  void theCommandLinePutsAPolicyAndRollsItBack() throws Exception {
    Path policy = Files.writeString(dir.resolve("policy.json"),
        "{\"stable\": \"1\", \"candidates\": [{\"version\": \"2\", \"weight\": 10}]}");
    String url = "http://127.0.0.1:" + server.httpPort();
    Path token = dir.resolve("token");
    assertThat(io.sluice.gateway.MainAccess.run("traffic", "--url", url, "--model", "int_adder",
        "--token-file", token.toString(), "--set", policy.toString())).isZero();
    assertThat(traffic().at("/policy/candidates/0/version").asText()).isEqualTo("2");
    assertThat(io.sluice.gateway.MainAccess.run("rollback", "--url", url, "--model",
        "int_adder", "--token-file", token.toString(), "--reason", "drill")).isZero();
    assertThat(traffic().at("/state/candidates/0/state").asText()).isEqualTo("rolled_back");
    assertThat(io.sluice.gateway.MainAccess.run("promote", "--url", url, "--model", "int_adder",
        "--version", "9")).as("no token: refused").isEqualTo(1);
    assertThat(io.sluice.gateway.MainAccess.run("rollout", "--url", url, "--model", "int_adder",
        "--token-file", token.toString(), "--candidate", "2", "--shadow-seconds", "60"))
        .isZero();
    assertThat(traffic().at("/rollout/phase").asText()).isEqualTo("shadow");
  }

  @Test
  void aCandidateWhoseShadowAnswersDisagreeIsRolledBackOnAgreement() throws Exception {
    admin("PUT", "/v2/models/int_adder/traffic", "{\"stable\": \"1\", \"candidates\":"
        + " [{\"version\": \"3\", \"weight\": 10}], \"shadows\": [{\"version\": \"3\","
        + " \"fraction\": 1.0}], \"guards\": {\"agreement\": {\"min_comparisons\": 20}}}");
    for (int i = 0; i < 60; i++) {
      assertThat(infer().statusCode()).isEqualTo(200);
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      JsonNode canary = traffic().at("/state/candidates/0");
      assertThat(canary.get("state").asText()).isEqualTo("rolled_back");
      assertThat(canary.get("reason").asText()).isEqualTo("agreement");
    });
  }

  /** Sends requests until the returned flag is set; counts the ones that did not answer 200. */
  private static java.util.concurrent.atomic.AtomicInteger load(
      java.util.concurrent.atomic.AtomicBoolean stop) {
    java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
    Thread t = new Thread(() -> {
      while (!stop.get()) {
        try {
          if (infer().statusCode() != 200) {
            failed.incrementAndGet();
          }
        } catch (Exception e) {
          failed.incrementAndGet();
        }
      }
    });
    t.setDaemon(true);
    t.start();
    return failed;
  }

  @Test
  void aRolloutOfAGoodCandidateWalksItsStepsAndPromotesIt() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    var failed = load(stop);
    try {
      assertThat(admin("POST", "/v2/models/int_adder/rollout",
          "{\"candidate\": \"2\", \"shadow_s\": 1, \"step_s\": 1, \"steps\": [20, 50]}")
          .statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(traffic().at("/rollout/outcome").asText()).isEqualTo("promoted"));
    } finally {
      stop.set(true);
    }
    assertThat(traffic().at("/policy/stable").asText()).isEqualTo("2");
    assertThat(failed.get()).isZero();
  }

  @Test
  void aRolloutOfADisagreeingCandidateStopsInTheShadowPhaseWithTheReason() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    var failed = load(stop);
    try {
      assertThat(admin("POST", "/v2/models/int_adder/rollout", "{\"candidate\": \"3\","
          + " \"shadow_s\": 4, \"step_s\": 1, \"guards\": {\"agreement\":"
          + " {\"min_comparisons\": 10}}}").statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(traffic().at("/rollout/outcome").asText())
              .startsWith("rolled back in shadow: agreement"));
    } finally {
      stop.set(true);
    }
    assertThat(traffic().at("/policy/stable").asText()).isEqualTo("1");
    assertThat(failed.get()).isZero();
  }

  @Test
  void aRolloutWithoutACandidateIs400() throws Exception {
    HttpResponse<String> r = admin("POST", "/v2/models/int_adder/rollout", "{\"steps\": [5]}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("candidate: missing");
  }
}
