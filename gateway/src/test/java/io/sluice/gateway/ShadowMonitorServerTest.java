package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drift monitor following routes and shadows on a real server: the shipped iris classifier
 * as versions 1 and 2 (the same model and profile), version 2 shadowing stable version 1 on
 * every request, requests over HTTP. The shadow version's window counts the copies, the
 * prediction log holds a primary and a shadow record per request id, and ground truth is scored
 * on the primary's version and route only.
 */
class ShadowMonitorServerTest {
  private static final String TOKEN = "shadow-monitor-token";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  @TempDir static Path dir;
  private static SluiceServer server;

  @BeforeAll
  static void start() throws Exception {
    Path examples = Path.of("../examples/model_repository/iris_classifier");
    Path model = Files.createDirectories(dir.resolve("repo/iris_classifier"));
    Files.writeString(model.resolve("config.pbtxt"),
        Files.readString(examples.resolve("config.pbtxt")) + "version_policy: { all { } }\n");
    Files.copy(examples.resolve("labels.txt"), model.resolve("labels.txt"));
    for (String v : new String[] {"1", "2"}) {
      Files.createDirectories(model.resolve(v));
      Files.copy(examples.resolve("1/model.onnx"), model.resolve(v + "/model.onnx"));
      Files.copy(examples.resolve("1/reference_profile.json"),
          model.resolve(v + "/reference_profile.json"));
    }
    server = SluiceServer.start(GatewayConfig.builder()
        // every request, not the default budget of 1,000 a second: the test counts them all
        .driftMaxRate(0)
        .modelRepository(dir.resolve("repo"))
        .host("127.0.0.1").httpPort(0).grpcPort(0).metricsPort(0).eventLoopThreads(1)
        .adminTokenFile(Files.writeString(dir.resolve("token"), TOKEN + "\n"))
        .predictionLogDir(dir.resolve("log"))
        .build());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static HttpResponse<String> send(String method, String path, String body)
      throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.httpPort() + path))
        .header("Authorization", "Bearer " + TOKEN)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode get(String path) throws Exception {
    HttpResponse<String> r = send("GET", path, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** The rows in a version's current window; -1 before the monitor has seen the version. */
  private static long windowRows(String version) throws Exception {
    HttpResponse<String> r = send("GET", "/v2/models/iris_classifier/versions/" + version
        + "/drift", null);
    return r.statusCode() != 200 ? -1
        : JSON.readTree(r.body()).get("current_window").get("rows").asLong();
  }

  @Test
  void aFullShadowIsMonitoredLoggedBesideThePrimaryAndLeftOutOfAccuracy() throws Exception {
    HttpResponse<String> policy = send("PUT", "/v2/models/iris_classifier/traffic",
        "{\"stable\": \"1\", \"shadows\": [{\"version\": \"2\", \"fraction\": 1.0}]}");
    assertThat(policy.statusCode()).as(policy.body()).isEqualTo(200);
    // Five requests of two rows each, with ids the labels name later.
    List<String> rows = List.of("5.1,3.5,1.4,0.2", "6.7,3.0,5.2,2.3", "5.9,3.0,4.2,1.5",
        "4.9,3.0,1.4,0.2", "6.3,2.5,5.0,1.9");
    List<Long> predicted = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      HttpResponse<String> r = send("POST", "/v2/models/iris_classifier/infer",
          "{\"id\":\"shadowed-" + i + "\",\"inputs\":[{\"name\":\"float_input\","
              + "\"datatype\":\"FP32\",\"shape\":[2,4],\"data\":[" + rows.get(i) + ","
              + rows.get((i + 1) % rows.size()) + "]}]}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode answer = JSON.readTree(r.body());
      assertThat(answer.get("model_version").asText()).isEqualTo("1");
      predicted.add(answer.get("outputs").get(0).get("data").get(0).asLong());
    }

    // Both versions' windows count every row: version 2 saw them only as shadow copies.
    await().atMost(Duration.ofSeconds(20)).until(() -> windowRows("2") == 10);
    assertThat(get("/v2/models/iris_classifier/versions/1/drift").get("current_window")
        .get("rows").asLong()).isEqualTo(10);

    // The prediction log: a primary and a shadow record for each id, each with its version.
    Path file = dir.resolve("log/predictions.jsonl");
    await().atMost(Duration.ofSeconds(20)).until(
        () -> Files.exists(file) && Files.readAllLines(file).size() == 10);
    Map<String, List<JsonNode>> byId = new HashMap<>();
    for (String line : Files.readAllLines(file)) {
      JsonNode r = JSON.readTree(line);
      byId.computeIfAbsent(r.get("id").asText(), k -> new ArrayList<>()).add(r);
    }
    assertThat(byId).hasSize(5);
    for (int i = 0; i < rows.size(); i++) {
      List<JsonNode> records = byId.get("shadowed-" + i);
      assertThat(records).hasSize(2);
      JsonNode primary = records.get(0).get("role").asText().equals("primary")
          ? records.get(0) : records.get(1);
      JsonNode shadow = primary == records.get(0) ? records.get(1) : records.get(0);
      assertThat(primary.get("role").asText()).isEqualTo("primary");
      assertThat(primary.get("version").asText()).isEqualTo("1");
      assertThat(primary.get("route").asText()).isEqualTo("stable");
      assertThat(shadow.get("role").asText()).isEqualTo("shadow");
      assertThat(shadow.get("version").asText()).isEqualTo("2");
      assertThat(shadow.get("route").asText()).isEqualTo("stable");
      // the same model: the shadow copied the inputs and answered the same
      assertThat(shadow.get("inputs")).isEqualTo(primary.get("inputs"));
      assertThat(shadow.get("outputs").get("label")).isEqualTo(primary.get("outputs").get("label"));
      assertThat(primary.get("outputs").get("label").get(0).asLong())
          .isEqualTo(predicted.get(i));
    }

    // Ground truth: four right, one wrong; each id is one primary prediction, not two.
    StringBuilder labels = new StringBuilder("{\"labels\":[");
    for (int i = 0; i < rows.size(); i++) {
      labels.append(i == 0 ? "" : ",").append("{\"id\":\"shadowed-").append(i)
          .append("\",\"label\":").append(i == 4 ? predicted.get(i) + 1 : predicted.get(i))
          .append('}');
    }
    JsonNode outcome = JSON.readTree(send("POST", "/v2/models/iris_classifier/feedback",
        labels.append("]}").toString()).body());
    assertThat(outcome.get("matched").asInt()).isEqualTo(5);
    assertThat(outcome.get("duplicate").asInt()).isZero();
    JsonNode perf = get("/v2/models/iris_classifier/versions/1/drift").get("performance");
    assertThat(perf.get("labels").asInt()).isEqualTo(5);
    assertThat(perf.get("accuracy").asDouble()).isEqualTo(0.8);
    assertThat(perf.get("routes").get("stable").get("labels").asInt()).isEqualTo(5);
    assertThat(perf.get("routes").get("stable").get("coverage").asDouble()).isEqualTo(1.0);
    assertThat(perf.get("routes").get("stable").get("accuracy").asDouble()).isEqualTo(0.8);
    assertThat(perf.get("routes").has("canary")).isFalse();
    assertThat(get("/v2/models/iris_classifier/versions/2/drift").get("performance").isNull())
        .isTrue();

    String metrics = CLIENT.send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + server.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(metrics).containsPattern("sluice_prediction_labels_total\\{model=\"iris_classifier"
        + "\",route=\"stable\",version=\"1\"} 5(\\.0)?\n");
    assertThat(metrics).containsPattern("sluice_prediction_correct_total\\{model=\"iris_classifier"
        + "\",route=\"stable\",version=\"1\"} 4(\\.0)?\n");
    assertThat(metrics).doesNotContain("sluice_prediction_labels_total{model=\"iris_classifier\","
        + "route=\"stable\",version=\"2\"}");
  }
}
