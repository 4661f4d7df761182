package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One process serving an ONNX model and TensorFlow SavedModels at once, with the engines the
 * server picks by itself: the committed tiny_mlp (ONNX, autofilled) beside the committed
 * SavedModels (one autofilled, one configured), answered over the V2 HTTP API and compared with
 * what Python TensorFlow answered (examples/make_tf_models.py).
 */
class TwoEnginesServerTest {
  private static final HttpClient http = HttpClient.newHttpClient();
  private static final ObjectMapper json = new ObjectMapper();
  private static final Path TF_REPO = Path.of("../examples/tf_model_repository");
  @TempDir static Path repo;
  private static SluiceServer server;

  @BeforeAll
  static void start() throws Exception {
    copy(Path.of("../examples/model_repository/tiny_mlp"), repo.resolve("tiny_mlp"));
    copy(TF_REPO.resolve("tf_dense_classifier"), repo.resolve("tf_dense_classifier"));
    copy(TF_REPO.resolve("tf_text_features"), repo.resolve("tf_text_features"));
    copy(TF_REPO.resolve("dense_classifier_onnx"), repo.resolve("dense_classifier_onnx"));
    server = SluiceServer.start(GatewayConfig.builder()
        .modelRepository(repo)
        .host("127.0.0.1")
        .httpPort(0)
        .grpcPort(0)
        .metricsPort(0)
        .eventLoopThreads(1)
        .build());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      files.forEach(p -> {
        try {
          Files.copy(p, to.resolve(from.relativize(p).toString()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  private static JsonNode get(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json.readTree(r.body());
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.httpPort() + path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aSavedModelWithoutConfigIsAutofilledFromItsServingSignature() throws Exception {
    JsonNode config = get("/v2/models/tf_dense_classifier/config");
    assertThat(config.path("platform").asText()).isEqualTo("tensorflow_savedmodel");
    assertThat(config.path("backend").asText()).isEqualTo("tensorflow");
    assertThat(config.path("max_batch_size").asInt()).isPositive();
    assertThat(config.has("dynamic_batching")).isTrue();
    assertThat(config.path("input").get(0).path("name").asText()).isEqualTo("features");
    assertThat(config.path("input").get(0).path("dims").toString()).isEqualTo("[4]");
    JsonNode meta = get("/v2/models/tf_dense_classifier");
    assertThat(meta.path("platform").asText()).isEqualTo("tensorflow_savedmodel");
    assertThat(get("/v2/models/tiny_mlp").path("platform").asText())
        .isEqualTo("onnxruntime_onnx");
  }

  @Test
  void theTensorFlowModelAnswersAsPythonTensorFlowDid() throws Exception {
    JsonNode exp = json.readTree(
        TF_REPO.resolve("tf_dense_classifier/expected_outputs.json").toFile());
    // The first four rows: the autofilled max_batch_size is the gateway's default, 4.
    StringBuilder rows = new StringBuilder("[");
    for (int i = 0; i < 16; i++) {
      rows.append(i == 0 ? "" : ",").append(exp.get("inputs").get("features").get("data").get(i));
    }
    String body = "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":"
        + "[4,4],\"data\":" + rows + "]}],"
        + "\"outputs\":[{\"name\":\"probabilities\"}]}";
    HttpResponse<String> r = post("/v2/models/tf_dense_classifier/infer", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode out = json.readTree(r.body()).get("outputs").get(0);
    assertThat(out.get("name").asText()).isEqualTo("probabilities");
    JsonNode want = exp.get("outputs").get("probabilities").get("data");
    assertThat(out.get("data").size()).isEqualTo(12);
    for (int i = 0; i < 12; i++) {
      assertThat(out.get("data").get(i).doubleValue())
          .isCloseTo(want.get(i).doubleValue(), Offset.offset(1e-5));
    }
  }

  @Test
  void stringsAndInt64ReachTensorFlowAndComeBack() throws Exception {
    String body = "{\"inputs\":["
        + "{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[2],\"data\":[\"alpha\",\"b\"]},"
        + "{\"name\":\"count\",\"datatype\":\"INT64\",\"shape\":[2],\"data\":[1,7]}]}";
    HttpResponse<String> r = post("/v2/models/tf_text_features/infer", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode outputs = json.readTree(r.body()).get("outputs");
    JsonNode tagged = null;
    for (JsonNode o : outputs) {
      if (o.get("name").asText().equals("tagged")) {
        tagged = o;
      }
    }
    assertThat(tagged).isNotNull();
    assertThat(tagged.get("data").toString()).isEqualTo("[\"alpha#1\",\"b#7\"]");
  }

  @Test
  void theOnnxModelServesBesideIt() throws Exception {
    StringBuilder data = new StringBuilder("[");
    for (int i = 0; i < 32; i++) {
      data.append(i == 0 ? "" : ",").append(i / 32.0);
    }
    String body = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,32],"
        + "\"data\":" + data + "]}]}";
    HttpResponse<String> r = post("/v2/models/tiny_mlp/infer", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json.readTree(r.body()).get("outputs").get(0).get("shape").toString())
        .isEqualTo("[1,1]");
  }

  @Test
  void aBadInputToTheTensorFlowModelIsA400() throws Exception {
    HttpResponse<String> r = post("/v2/models/tf_dense_classifier/infer",
        "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,3],"
            + "\"data\":[1,2,3]}]}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json.readTree(r.body()).has("error")).isTrue();
  }

  @Test
  void tfServingRowPredictAnswersWithPredictions() throws Exception {
    JsonNode exp = json.readTree(
        TF_REPO.resolve("tf_dense_classifier/expected_outputs.json").toFile());
    JsonNode x = exp.get("inputs").get("features").get("data");
    StringBuilder rows = new StringBuilder("[");
    for (int r = 0; r < 2; r++) {
      rows.append(r == 0 ? "[" : ",[");
      for (int c = 0; c < 4; c++) {
        rows.append(c == 0 ? "" : ",").append(x.get(r * 4 + c));
      }
      rows.append("]");
    }
    HttpResponse<String> r = post("/v1/models/tf_dense_classifier:predict",
        "{\"instances\":" + rows + "]}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode predictions = json.readTree(r.body()).get("predictions");
    assertThat(predictions.size()).isEqualTo(2);
    JsonNode want = exp.get("outputs").get("probabilities").get("data");
    for (int i = 0; i < 3; i++) {
      assertThat(predictions.get(1).get("probabilities").get(i).doubleValue())
          .isCloseTo(want.get(3 + i).doubleValue(), Offset.offset(1e-5));
    }
  }

  @Test
  void tfServingColumnarPredictServesTheOnnxModelToo() throws Exception {
    StringBuilder row = new StringBuilder("[[");
    for (int i = 0; i < 32; i++) {
      row.append(i == 0 ? "" : ",").append(i / 32.0);
    }
    HttpResponse<String> r = post("/v1/models/tiny_mlp/versions/1:predict",
        "{\"inputs\":" + row + "]]}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode outputs = json.readTree(r.body()).get("outputs");
    assertThat(outputs.isArray()).isTrue();
    assertThat(outputs.get(0).size()).isEqualTo(1);
  }

  @Test
  void tfServingB64StringsReachTensorFlow() throws Exception {
    HttpResponse<String> r = post("/v1/models/tf_text_features:predict",
        "{\"signature_name\":\"serving_default\",\"instances\":["
            + "{\"text\":{\"b64\":\"YWxwaGE=\"},\"count\":1},{\"text\":\"b\",\"count\":7}]}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode p = json.readTree(r.body()).get("predictions");
    assertThat(p.get(0).get("tagged").asText()).isEqualTo("alpha#1");
    assertThat(p.get(1).get("tagged").asText()).isEqualTo("b#7");
  }

  @Test
  void tfServingStatusAndMetadataDescribeEveryModel() throws Exception {
    JsonNode status = get("/v1/models/tf_dense_classifier");
    assertThat(status.get("model_version_status").get(0).get("state").asText())
        .isEqualTo("AVAILABLE");
    JsonNode meta = get("/v1/models/tiny_mlp/metadata");
    assertThat(meta.get("model_spec").get("name").asText()).isEqualTo("tiny_mlp");
    JsonNode input = meta.at("/metadata/signature_def/signature_def/serving_default/inputs/input");
    assertThat(input.get("dtype").asText()).isEqualTo("DT_FLOAT");
    assertThat(input.at("/tensor_shape/dim/1/size").asText()).isEqualTo("32");
  }

  @Test
  void tfServingErrorsAreTheirJsonShape() throws Exception {
    HttpResponse<String> missing = post("/v1/models/nope:predict", "{\"instances\":[1]}");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(json.readTree(missing.body()).has("error")).isTrue();
    HttpResponse<String> bad = post("/v1/models/tf_dense_classifier:predict",
        "{\"instances\":[[1,2,3]]}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(json.readTree(bad.body()).get("error").asText()).isNotEmpty();
  }

  @Test
  void theSavedModelAndItsOnnxTwinAgree() throws Exception {
    String body = "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[3,4],"
        + "\"data\":[0.1,-2,3.5,0,1,1,1,1,-0.3,0.7,-1.1,2.2]}]}";
    HttpResponse<String> tf = post("/v2/models/tf_dense_classifier/infer", body);
    HttpResponse<String> ort = post("/v2/models/dense_classifier_onnx/infer", body);
    assertThat(tf.statusCode()).as(tf.body()).isEqualTo(200);
    assertThat(ort.statusCode()).as(ort.body()).isEqualTo(200);
    assertThat(get("/v2/models/dense_classifier_onnx").path("platform").asText())
        .isEqualTo("onnxruntime_onnx");
    JsonNode a = json.readTree(tf.body()).get("outputs");
    JsonNode b = json.readTree(ort.body()).get("outputs");
    assertThat(a.size()).isEqualTo(2);
    for (int o = 0; o < 2; o++) {
      assertThat(a.get(o).get("name")).isEqualTo(b.get(o).get("name"));
      for (int i = 0; i < 9; i++) {
        assertThat(a.get(o).get("data").get(i).doubleValue())
            .isCloseTo(b.get(o).get("data").get(i).doubleValue(), Offset.offset(1e-5));
      }
    }
  }
}
