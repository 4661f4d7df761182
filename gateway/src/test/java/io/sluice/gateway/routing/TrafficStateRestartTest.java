package io.sluice.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.gateway.GatewayConfig;
import io.sluice.gateway.SluiceServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.commons.statistics.distribution.BinomialDistribution;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traffic policies across a restart ({@code --traffic-state-dir}), on real servers: each test
 * sets a policy over HTTP, stops the server, starts a new one on the same folders and asks it.
 * The committed {@code int_adder} as versions 1 and 3 (3 adds one more).
 */
class TrafficStateRestartTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient http = HttpClient.newHttpClient();
  private static final String INFER_BODY = "{\"inputs\": ["
      + "{\"name\": \"a\", \"shape\": [4], \"datatype\": \"INT64\", \"data\": [1, 2, 3, 4]},"
      + "{\"name\": \"b\", \"shape\": [4], \"datatype\": \"INT64\", \"data\": [10, 10, 10, 10]}]}";
  @TempDir Path dir;
  private SluiceServer server;

  @BeforeEach
  void repository() throws Exception {
    Path examples = Path.of("../examples/model_repository/int_adder");
    Path model = Files.createDirectories(dir.resolve("repo/int_adder"));
    Files.copy(examples.resolve("config.pbtxt"), model.resolve("config.pbtxt"));
    for (String[] v : new String[][] {{"1", "1"}, {"3", "2"}}) {
      Files.createDirectories(model.resolve(v[0]));
      Files.copy(examples.resolve(v[1] + "/model.onnx"), model.resolve(v[0] + "/model.onnx"));
    }
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void start() throws Exception {
    server = SluiceServer.start(GatewayConfig.builder()
        .modelRepository(dir.resolve("repo"))
        .host("127.0.0.1").httpPort(0).grpcPort(0).metricsPort(0).eventLoopThreads(1)
        .trafficStateDir(dir.resolve("state"))
        .build());
  }

  private void restart() throws Exception {
    server.close();
    server = null;
    start();
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.httpPort() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private void put(String policy) throws Exception {
    assertThat(send("PUT", "/v2/models/int_adder/traffic", policy).statusCode()).isEqualTo(200);
  }

  private JsonNode traffic() throws Exception {
    return JSON.readTree(send("GET", "/v2/models/int_adder/traffic", null).body());
  }

  /** How many of {@code n} unpinned requests version 3 answered. */
  private int answeredByThree(int n) throws Exception {
    int three = 0;
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = send("POST", "/v2/models/int_adder/infer", INFER_BODY);
      assertThat(r.statusCode()).isEqualTo(200);
      String version = JSON.readTree(r.body()).get("model_version").asText();
      assertThat(version).isIn("1", "3");
      three += version.equals("3") ? 1 : 0;
    }
    return three;
  }

  private void removeVersionThree() throws Exception {
    try (Stream<Path> files = Files.walk(dir.resolve("repo/int_adder/3"))) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void aPolicyPutBeforeARestartIsInForceAfterItAndSplitsTheRequests() throws Exception {
    start();
    put("{\"stable\": \"1\", \"candidates\": [{\"version\": \"3\", \"weight\": 50}]}");
    JsonNode before = traffic().get("policy");

    restart();

    JsonNode after = traffic();
    assertThat(after.get("policy")).isEqualTo(before);
    assertThat(after.get("restored").get("restored").asBoolean()).isTrue();
    assertThat(after.get("restored").get("problems")).isEmpty();
    // The server's randomness is not seeded, so the bound is one in a million each side (a
    // 99.9% bound failed a clean CI run with 238): scipy.stats.binom.ppf([5e-7, 1 - 5e-7], 400,
    // 0.5) = [151, 249], and commons-statistics agrees.
    BinomialDistribution b = BinomialDistribution.of(400, 0.5);
    assertThat(b.inverseCumulativeProbability(5e-7)).isEqualTo(151);
    assertThat(b.inverseCumulativeProbability(1 - 5e-7)).isEqualTo(249);
    assertThat(answeredByThree(400)).isBetween(151, 249);
  }

  @Test
  void aRolledBackCandidateIsStillOutOfTrafficAfterARestart() throws Exception {
    start();
    put("{\"stable\": \"1\", \"candidates\": [{\"version\": \"3\", \"weight\": 50}]}");
    assertThat(send("POST", "/v2/models/int_adder/rollback", "{\"reason\": \"drill\"}")
        .statusCode()).isEqualTo(200);

    restart();

    JsonNode candidate = traffic().get("policy").get("candidates").get(0);
    assertThat(candidate.get("version").asText()).isEqualTo("3");
    assertThat(candidate.get("weight").asDouble()).isZero();
    assertThat(answeredByThree(50)).isZero();
  }

  @Test
  void aPromotedVersionIsStableAfterARestart() throws Exception {
    start();
    put("{\"stable\": \"1\", \"candidates\": [{\"version\": \"3\", \"weight\": 10}]}");
    assertThat(send("POST", "/v2/models/int_adder/promote", "").statusCode()).isEqualTo(200);

    restart();

    assertThat(traffic().get("policy").get("stable").asText()).isEqualTo("3");
    assertThat(answeredByThree(20)).isEqualTo(20);
  }

  @Test
  void aSavedCandidateThatIsNotLoadedAfterTheRestartIsRolledBackAndSaysWhy() throws Exception {
    start();
    put("{\"stable\": \"1\", \"candidates\": [{\"version\": \"3\", \"weight\": 50}]}");
    server.close();
    server = null;
    removeVersionThree();

    start();

    JsonNode t = traffic();
    JsonNode candidate = t.get("state").get("candidates").get(0);
    assertThat(candidate.get("state").asText()).isEqualTo("rolled_back");
    assertThat(candidate.get("reason").asText()).isEqualTo("not_loaded");
    assertThat(t.get("restored").get("problems").get(0).asText())
        .isEqualTo("candidate version 3 is not loaded: rolled back");
    assertThat(answeredByThree(20)).isZero();
  }

  @Test
  void aSavedStableThatIsNotLoadedIsNotPutAndTheFileStays() throws Exception {
    start();
    put("{\"stable\": \"3\"}");
    server.close();
    server = null;
    removeVersionThree();

    start();

    JsonNode t = traffic();
    assertThat(t.get("policy").isNull()).isTrue();
    assertThat(t.get("restored").get("restored").asBoolean()).isFalse();
    assertThat(t.get("restored").get("problems").get(0).asText())
        .startsWith("stable version 3 is not loaded");
    assertThat(dir.resolve("state/int_adder.json")).exists();
    assertThat(answeredByThree(5)).isZero();
  }
}
