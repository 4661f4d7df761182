package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The drift monitor inside the whole server: iris with its shipped reference profile, requests
 * over HTTP, a tumbling window of 300 rows, the drift endpoint, the Prometheus series and the
 * webhook against a local receiver (JDK HttpServer) that checks the HMAC signature.
 */
class DriftMonitorServerTest {
  private static final String SECRET = "s3cret";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static final List<String> received = new CopyOnWriteArrayList<>();
  private static final List<Boolean> signatureOk = new CopyOnWriteArrayList<>();
  private static HttpServer receiver;
  private static final Path LOG_DIR = createLogDir();

  private static Path createLogDir() {
    try {
      return java.nio.file.Files.createTempDirectory("sluice-predictions");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
  private static SluiceServer server;
  /** The iris rows (features), read back from the profile's training CSV. */
  private static final List<float[]> IRIS = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String sig = exchange.getRequestHeaders().getFirst("X-Sluice-Signature");
      signatureOk.add(("sha256=" + hmac(body)).equals(sig));
      received.add(new String(body, StandardCharsets.UTF_8));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
    for (String line : java.nio.file.Files.readAllLines(
        Path.of("../examples/data/iris_train.csv")).subList(1, 151)) {
      String[] cells = line.split(",");
      IRIS.add(new float[] {Float.parseFloat(cells[0]), Float.parseFloat(cells[1]),
          Float.parseFloat(cells[2]), Float.parseFloat(cells[3])});
    }
    server = SluiceServer.start(GatewayConfig.builder()
        // every request, not the default budget of 1,000 a second: the test counts them all
        .driftMaxRate(0)
        .modelRepository(Path.of("../examples/model_repository"))
        .host("127.0.0.1").httpPort(0).grpcPort(0).metricsPort(0)
        .driftWindowRows(300)
        .driftWebhookUrl("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook")
        .driftWebhookSecret(SECRET)
        .predictionLogDir(LOG_DIR)
        .build());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    receiver.stop(0);
  }

  private static String hmac(byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return java.util.HexFormat.of().formatHex(mac.doFinal(body));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sends {@code rows} iris rows in batches of 10, petal length shifted by {@code shift}. */
  private static void send(int rows, double shift, long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    for (int sent = 0; sent < rows; sent += 10) {
      StringBuilder data = new StringBuilder();
      for (int r = 0; r < 10; r++) {
        float[] x = IRIS.get(random.nextInt(IRIS.size()));
        data.append(r == 0 ? "" : ",").append(x[0]).append(',').append(x[1]).append(',')
            .append(String.format(Locale.ROOT, "%.4f", x[2] + shift)).append(',').append(x[3]);
      }
      String body = "{\"inputs\":[{\"name\":\"float_input\",\"datatype\":\"FP32\",\"shape\":[10,4],"
          + "\"data\":[" + data + "]}]}";
      HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + server.httpPort() + "/v2/models/iris_classifier/infer"))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
    }
  }

  private static JsonNode drift(String path) throws Exception {
    HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + server.httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  @Test
  void aShiftedFeatureDriftsItsWindowRaisesTheSignedWebhookAndShowsInMetrics() throws Exception {
    // Petal length moved by about one of its standard deviations (1.76 cm).
    send(300, 1.8, 7);
    await().atMost(Duration.ofSeconds(20)).until(
        () -> drift("/v2/models/iris_classifier/drift").get("windows_completed").asLong() >= 1);
    JsonNode d = drift("/v2/models/iris_classifier/versions/1/drift");
    assertThat(d.get("reference").get("name").asText()).isEqualTo("iris_train.csv");
    assertThat(d.get("reference").get("lineage").asText()).isEqualTo("sklearn-1.0 load_iris");
    assertThat(d.get("window").get("rows").asLong()).isEqualTo(300);
    JsonNode petal = null;
    for (JsonNode f : d.get("features")) {
      if (f.get("name").asText().equals("petal_length")) {
        petal = f;
      }
    }
    assertThat(petal).isNotNull();
    assertThat(petal.get("method").asText()).isEqualTo("ks");
    assertThat(petal.get("drift").asBoolean()).isTrue();
    assertThat(petal.get("n_ref").asLong()).isEqualTo(150);
    assertThat(petal.get("n_cur").asLong()).isEqualTo(300);
    assertThat(petal.get("quality").get("out_of_range").asLong()).isPositive();
    assertThat(d.get("dataset").get("drifted_columns").toString()).contains("petal_length");

    await().atMost(Duration.ofSeconds(20)).until(() -> !received.isEmpty());
    assertThat(signatureOk).containsOnly(true);
    JsonNode hook = JSON.readTree(received.get(0));
    assertThat(hook.get("model").asText()).isEqualTo("iris_classifier");
    assertThat(hook.get("drifted_columns").toString()).contains("petal_length");

    HttpResponse<String> metrics = CLIENT.send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + server.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body())
        .contains("sluice_drift_feature_bin_total{bin=\"0\",feature=\"petal_length\"")
        .contains("sluice_drift_feature_value_bucket{feature=\"petal_length\"")
        .contains("sluice_drift_detected{feature=\"petal_length\",method=\"ks\"")
        .contains("sluice_drift_alerts_total{model=\"iris_classifier\"")
        .contains("sluice_monitor_dropped_total");
    // cumulative buckets: +Inf holds every value, as _count does; the bins add up to it
    assertThat(sample(metrics.body(), "sluice_drift_feature_value_bucket{", "\"petal_length\"",
        "le=\"+Inf\"")).isEqualTo(300);
    assertThat(sample(metrics.body(), "sluice_drift_feature_value_count{", "\"petal_length\""))
        .isEqualTo(300);
    double bins = 0;
    for (int b = 0; b < 10; b++) {
      bins += sample(metrics.body(), "sluice_drift_feature_bin_total{", "bin=\"" + b + "\"",
          "\"petal_length\"");
    }
    assertThat(bins).isEqualTo(300);

    // the prediction log: one line per request (30 requests of 10 rows)
    Path file = LOG_DIR.resolve("predictions.jsonl");
    await().atMost(Duration.ofSeconds(20)).until(() -> java.nio.file.Files.exists(file)
        && java.nio.file.Files.readAllLines(file).size() == 30);
    JsonNode r = JSON.readTree(java.nio.file.Files.readAllLines(file).get(0));
    assertThat(r.get("model").asText()).isEqualTo("iris_classifier");
    assertThat(r.get("rows").asInt()).isEqualTo(10);
    assertThat(r.get("inputs").get("petal_length")).hasSize(10);
    assertThat(r.get("outputs").get("label")).hasSize(10);

    // ground truth: three requests with ids, labelled later (one wrongly, one twice, one unknown)
    List<Long> predicted = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      float[] x = IRIS.get(i * 60);
      HttpResponse<String> res = CLIENT.send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + server.httpPort() + "/v2/models/iris_classifier/infer"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"req-" + i + "\",\"inputs\":"
              + "[{\"name\":\"float_input\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":["
              + x[0] + "," + x[1] + "," + x[2] + "," + x[3] + "]}]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      predicted.add(JSON.readTree(res.body()).get("outputs").get(0).get("data").get(0).asLong());
    }
    String labels = "{\"labels\":[{\"id\":\"req-0\",\"label\":" + predicted.get(0) + "},"
        + "{\"id\":\"req-1\",\"label\":" + (predicted.get(1) + 1) + "},"
        + "{\"id\":\"req-2\",\"label\":" + predicted.get(2) + "},"
        + "{\"id\":\"req-2\",\"label\":0},{\"id\":\"nobody\",\"label\":1}]}";
    // the monitor thread records a prediction just before it logs it
    await().atMost(Duration.ofSeconds(20)).until(
        () -> java.nio.file.Files.readAllLines(file).size() == 33);
    JsonNode outcome = JSON.readTree(CLIENT.send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + server.httpPort() + "/v2/models/iris_classifier/feedback"))
        .POST(HttpRequest.BodyPublishers.ofString(labels)).build(),
        HttpResponse.BodyHandlers.ofString()).body());
    assertThat(outcome.get("matched").asInt()).isEqualTo(3);
    assertThat(outcome.get("duplicate").asInt()).isEqualTo(1);
    assertThat(outcome.get("unknown_id").asInt()).isEqualTo(1);
    JsonNode perf = drift("/v2/models/iris_classifier/drift").get("performance");
    assertThat(perf.get("prediction").asText()).isEqualTo("label");
    assertThat(perf.get("labels").asInt()).isEqualTo(3);
    assertThat(perf.get("accuracy").asDouble()).isEqualTo(2.0 / 3);
  }

  /** The first sample line starting with {@code prefix} and holding {@code parts}: its value. */
  private static double sample(String text, String prefix, String... parts) {
    for (String line : text.split("\n")) {
      if (line.startsWith(prefix) && java.util.Arrays.stream(parts).allMatch(line::contains)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  @Test
  void feedbackWithoutLabelsIsA400() throws Exception {
    HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + server.httpPort() + "/v2/models/iris_classifier/feedback"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"labels\":[{\"id\":7}]}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).get("error").asText()).contains("expected");
  }

  @Test
  void anUnmonitoredModelIsA404WithAnErrorBody() throws Exception {
    HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + server.httpPort() + "/v2/models/int_adder/drift")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(r.body()).get("error").asText()).contains("no drift data");
  }

}
