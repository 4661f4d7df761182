package io.sluice.registry.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MlflowClientTest {
  private static final String ALIAS = "/api/2.0/mlflow/registered-models/alias?name=fraud&alias=champion";
  private static final String VERSION_JSON =
      "{\"model_version\": {\"name\": \"fraud\", \"version\": \"3\", \"source\":"
          + " \"models:/m-abc\", \"status\": \"READY\", \"description\": \"\", \"run_link\": \"\"}}";

  private final FakeMlflow mlflow = new FakeMlflow();
  private final List<Duration> sleeps = new ArrayList<>();
  @TempDir Path tmp;


  MlflowClientTest() throws Exception {}

  private MlflowClient client(MlflowCredentials credentials) {
    return client(mlflow.uri(), credentials);
  }

  private MlflowClient client(URI uri, MlflowCredentials credentials) {
    return client(uri, credentials, Duration.ofSeconds(10));
  }

  private MlflowClient client(URI uri, MlflowCredentials credentials, Duration timeout) {
    return new MlflowClient(uri, credentials,
        new RetryPolicy(4, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(10)),
        timeout, HttpClient.newHttpClient(), sleeps::add, () -> 0.5);
  }

  @AfterEach
  void stop() {
    mlflow.close();
  }

  @Test
  void anAliasResolvesToItsVersionAndTheTokenIsSent() throws Exception {
    mlflow.on(ALIAS, 200, VERSION_JSON);

    ModelVersion v = client(MlflowCredentials.bearer("s3cret")).versionByAlias("fraud", "champion");

    assertThat(v).isEqualTo(new ModelVersion("fraud", "3", "models:/m-abc", "READY"));
    assertThat(v.ready()).isTrue();
    assertThat(mlflow.authorizations).containsExactly("Bearer s3cret");
  }

  @Test
  void aRefusedAliasMoveIsThrownWithItsStatusAndNotRetried() throws Exception {
    mlflow.on("/api/2.0/mlflow/registered-models/alias", 403,
        "{\"error_code\": \"PERMISSION_DENIED\", \"message\": \"no EDIT on fraud\"}");
    mlflow.on("/api/2.0/mlflow/model-versions/set-tag", 200, "{}");
    MlflowClient c = client(MlflowCredentials.bearer("s3cret"));

    assertThatThrownBy(() -> c.setAlias("fraud", "champion", "3"))
        .isInstanceOfSatisfying(MlflowException.class, e -> {
          assertThat(e.status()).isEqualTo(403);
          assertThat(e.getMessage()).contains("PERMISSION_DENIED", "no EDIT on fraud");
        });
    c.setVersionTag("fraud", "3", "sluice.rollback", "rolled back in shadow");

    assertThat(sleeps).isEmpty();
    assertThat(mlflow.requests).containsExactly("/api/2.0/mlflow/registered-models/alias",
        "/api/2.0/mlflow/model-versions/set-tag");
    assertThat(mlflow.authorizations).containsOnly("Bearer s3cret");
  }

  @Test
  void fiveHundredsAreRetriedWithJitteredBackoffUntilAnAnswer() throws Exception {
    mlflow.on(ALIAS, 503, "{\"error_code\": \"TEMPORARILY_UNAVAILABLE\", \"message\": \"busy\"}")
        .on(ALIAS, 500, "{\"error_code\": \"INTERNAL_ERROR\", \"message\": \"db\"}")
        .on(ALIAS, 200, VERSION_JSON);

    assertThat(client(MlflowCredentials.none()).versionByAlias("fraud", "champion").version())
        .isEqualTo("3");
    // Full jitter at 0.5 of caps 100 ms and 200 ms.
    assertThat(sleeps).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100));
  }

  @Test
  void retryAfterIsHonouredAndCapped() throws Exception {
    mlflow.on(ALIAS, new FakeMlflow.Reply(429, "application/json",
            "{\"error_code\": \"REQUEST_LIMIT_EXCEEDED\", \"message\": \"slow down\"}"
                .getBytes(StandardCharsets.UTF_8), Map.of("Retry-After", "3"), -1))
        .on(ALIAS, new FakeMlflow.Reply(503, "text/plain", "busy".getBytes(StandardCharsets.UTF_8),
            Map.of("Retry-After", "3600"), -1))
        .on(ALIAS, 200, VERSION_JSON);

    client(MlflowCredentials.none()).versionByAlias("fraud", "champion");

    assertThat(sleeps).containsExactly(Duration.ofSeconds(3), Duration.ofSeconds(10));
  }

  @Test
  void retriesEndAfterTheLastAttemptWithTheLastError() {
    mlflow.on(ALIAS, 502, "{\"error_code\": \"BAD_GATEWAY\", \"message\": \"down\"}");

    assertThatThrownBy(() -> client(MlflowCredentials.none()).versionByAlias("fraud", "champion"))
        .isInstanceOfSatisfying(MlflowException.class, e -> {
          assertThat(e.status()).isEqualTo(502);
          assertThat(e.retryable()).isTrue();
        });
    assertThat(mlflow.requests).hasSize(4);
  }

  @Test
  void aMissingModelIsNotFoundAndNotRetried() {
    mlflow.on("/api/2.0/mlflow/registered-models/get?name=nope", 404,
        "{\"error_code\": \"RESOURCE_DOES_NOT_EXIST\", \"message\": \"Registered Model with"
            + " name=nope not found\", \"sqlstate\": \"42000\"}");

    assertThatThrownBy(() -> client(MlflowCredentials.none()).aliases("nope"))
        .isInstanceOfSatisfying(MlflowException.class, e -> {
          assertThat(e.notFound()).isTrue();
          assertThat(e.errorCode()).isEqualTo("RESOURCE_DOES_NOT_EXIST");
          assertThat(e.getMessage()).contains("name=nope not found");
        });
    assertThat(mlflow.requests).hasSize(1);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void anAnswerThatIsNotJsonSaysSo() {
    mlflow.on(ALIAS, new FakeMlflow.Reply(200, "text/html",
        "<html>login</html>".getBytes(StandardCharsets.UTF_8), Map.of(), -1));

    assertThatThrownBy(() -> client(MlflowCredentials.none()).versionByAlias("fraud", "champion"))
        .isInstanceOf(MlflowException.class)
        .hasMessageContaining("not a JSON object")
        .hasMessageContaining("text/html")
        .hasMessageContaining("<html>login</html>");
  }

  @Test
  void aPlainTextRefusalKeepsItsStatusAndText() {
    mlflow.on(ALIAS, new FakeMlflow.Reply(403, "text/plain",
        "Invalid Host header - possible DNS rebinding attack detected"
            .getBytes(StandardCharsets.UTF_8), Map.of(), -1));

    assertThatThrownBy(() -> client(MlflowCredentials.none()).versionByAlias("fraud", "champion"))
        .isInstanceOfSatisfying(MlflowException.class, e -> {
          assertThat(e.status()).isEqualTo(403);
          assertThat(e.retryable()).isFalse();
          assertThat(e.getMessage()).contains("not an MLflow error").contains("Invalid Host");
        });
  }

  @Test
  void aServerThatIsNotThereIsRetriedThenReportedAsUnreachable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    MlflowClient c = client(URI.create("http://127.0.0.1:" + port), MlflowCredentials.none());

    assertThatThrownBy(() -> c.aliases("fraud"))
        .isInstanceOfSatisfying(MlflowException.class, e -> {
          assertThat(e.status()).isZero();
          assertThat(e.getMessage()).contains("cannot reach");
        });
    assertThat(sleeps).hasSize(3);
  }

  @Test
  void versionSearchFollowsThePageTokens() throws Exception {
    String q = "/api/2.0/mlflow/model-versions/search?filter=name%3D%27fraud%27&max_results=100";
    mlflow.on(q, 200, "{\"model_versions\": [{\"name\": \"fraud\", \"version\": \"1\"}],"
            + " \"next_page_token\": \"eyJvZmZzZXQiOiAxfQ==\"}")
        .on(q + "&page_token=eyJvZmZzZXQiOiAxfQ%3D%3D", 200,
            "{\"model_versions\": [{\"name\": \"fraud\", \"version\": \"2\"}]}");

    assertThat(client(MlflowCredentials.none()).searchVersions("fraud"))
        .extracting(ModelVersion::version)
        .containsExactly("1", "2");
  }

  @Test
  void aLoggedModelResolvesThroughItsArtifactUriToTheProxy() throws Exception {
    mlflow.on("/api/2.0/mlflow/logged-models/m-abc", 200,
        "{\"model\": {\"info\": {\"model_id\": \"m-abc\", \"artifact_uri\":"
            + " \"mlflow-artifacts:/1/models/m-abc/artifacts\"}}}");

    ArtifactRoot root = client(MlflowCredentials.none()).root("models:/m-abc");

    assertThat(root).isEqualTo(new ArtifactRoot.Proxy(mlflow.uri(), "1/models/m-abc/artifacts"));
  }

  @Test
  void aRunsUriResolvesThroughTheRunsArtifactRoot() throws Exception {
    mlflow.on("/api/2.0/mlflow/runs/get?run_id=r1", 200,
        "{\"run\": {\"info\": {\"artifact_uri\": \"mlflow-artifacts:/0/r1/artifacts\"}}}");

    assertThat(client(MlflowCredentials.none()).root("runs:/r1/model"))
        .isEqualTo(new ArtifactRoot.Proxy(mlflow.uri(), "0/r1/artifacts/model"));
  }

  @Test
  void anArtifactUriWithAHostUsesThatHost() throws Exception {
    assertThat(client(MlflowCredentials.none()).root("mlflow-artifacts://other:5000/1/x"))
        .isEqualTo(new ArtifactRoot.Proxy(URI.create("http://other:5000"), "1/x"));
  }

  @Test
  void aStoreTheGatewayCannotReadIsRefusedWithTheWayOut() {
    assertThatThrownBy(() -> client(MlflowCredentials.none()).root("s3://bucket/1/x"))
        .hasMessageContaining("--serve-artifacts");
  }

  @Test
  void aProxyListingIsWalkedRecursivelyAndFilesDownload() throws Exception {
    mlflow.on("/api/2.0/mlflow-artifacts/artifacts?path=1%2Fm", 200,
            "{\"files\": [{\"path\": \"MLmodel\", \"is_dir\": false, \"file_size\": 5},"
                + " {\"path\": \"sub\", \"is_dir\": true}]}")
        .on("/api/2.0/mlflow-artifacts/artifacts?path=1%2Fm%2Fsub", 200,
            "{\"files\": [{\"path\": \"w.data\", \"is_dir\": false, \"file_size\": 3}]}")
        .on("/api/2.0/mlflow-artifacts/artifacts/1/m/sub/w.data", new FakeMlflow.Reply(200,
            "application/octet-stream", new byte[] {1, 2, 3}, Map.of(), -1));
    MlflowClient c = client(MlflowCredentials.none());
    ArtifactRoot root = new ArtifactRoot.Proxy(mlflow.uri(), "1/m");

    assertThat(c.list(root)).containsExactly(
        new ArtifactFile("MLmodel", 5), new ArtifactFile("sub/w.data", 3));
    Path target = tmp.resolve("w.data");
    assertThat(c.download(root, "sub/w.data", target)).isEqualTo(3);
    assertThat(Files.readAllBytes(target)).containsExactly(1, 2, 3);
  }

  @Test
  void aDownloadCutShortIsRetriedThenFails() {
    // Three bytes of ten: the stream then stalls, which the body deadline ends.
    mlflow.on("/api/2.0/mlflow-artifacts/artifacts/1/m/model.onnx", new FakeMlflow.Reply(200,
        "application/octet-stream", new byte[] {1, 2, 3}, Map.of(), 10));
    MlflowClient c = client(mlflow.uri(), MlflowCredentials.none(), Duration.ofMillis(500));

    assertThatThrownBy(() -> c.download(new ArtifactRoot.Proxy(mlflow.uri(), "1/m"),
            "model.onnx", tmp.resolve("model.onnx")))
        .isInstanceOf(MlflowException.class)
        .hasMessageContaining("model.onnx");
    assertThat(mlflow.requests).hasSize(4);
  }

  @Test
  void retryAfterReadsSecondsAndHttpDates() {
    assertThat(MlflowClient.parseRetryAfter("7")).contains(Duration.ofSeconds(7));
    assertThat(MlflowClient.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"))
        .contains(Duration.ZERO);
    assertThat(MlflowClient.parseRetryAfter("soon")).isEmpty();
  }

}
