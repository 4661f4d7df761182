package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.sluice.gateway.fuzz.FuzzServer;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import io.sluice.proto.inference.GrpcService.RepositoryIndexRequest;
import io.sluice.proto.inference.GrpcService.RepositoryIndexResponse;
import io.sluice.proto.inference.GrpcService.RepositoryModelLoadRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user or an attacker sees of a broken or hostile repository, over real HTTP and gRPC:
 * every reason in the index and every load error names paths relative to the repository, no
 * Java class, no library URL; and no file outside a model's folder is read, whatever symbolic
 * link points at it (a {@code label_filename} linked to {@code /etc/passwd} is a load error,
 * never a classification answer).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorAnswersTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern CLASS_NAME =
      Pattern.compile("\\b(?:java|javax|jdk|sun|com|org|io|ai|net)\\.[a-z]+\\.");
  private static final Pattern URL = Pattern.compile("(?i)\\b(?:https?|file|jar)://");

  @TempDir static Path tmp;
  private Path root;
  private String realRoot;
  private SluiceServer server;
  private ManagedChannel channel;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start() throws Exception {
    root = Files.createDirectories(tmp.resolve("repository"));
    realRoot = root.toRealPath().toString();
    Path iris = Path.of("../examples/model_repository/iris_classifier");
    String irisConfig = Files.readString(iris.resolve("config.pbtxt"));
    for (String name : new String[] {"good", "evil_labels", "evil_model", "missing_file",
        "bad_onnx", "escape", "bad_config", "negative_batch", "empty_warmup"}) {
      FuzzServer.copy(iris, root.resolve(name));
      Files.writeString(root.resolve(name + "/config.pbtxt"),
          irisConfig.replace("\"iris_classifier\"", "\"" + name + "\""));
    }
    // A label file linked out of the model folder, at a file every Linux box has.
    Files.delete(root.resolve("evil_labels/labels.txt"));
    Files.createSymbolicLink(root.resolve("evil_labels/labels.txt"), Path.of("/etc/passwd"));
    // A model file linked to a real model outside the model's folder.
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.move(root.resolve("evil_model/1/model.onnx"), outside.resolve("model.onnx"));
    Files.createSymbolicLink(root.resolve("evil_model/1/model.onnx"), outside.resolve("model.onnx"));
    Files.delete(root.resolve("missing_file/1/model.onnx"));
    Files.writeString(root.resolve("bad_onnx/1/model.onnx"), "not an onnx model");
    Files.writeString(root.resolve("escape/config.pbtxt"),
        irisConfig.replace("\"iris_classifier\"", "\"escape\"")
            + "default_model_filename: \"../../outside/model.onnx\"\n");
    Files.writeString(root.resolve("bad_config/config.pbtxt"),
        "name: \"bad_config\"\nmax_batch_size: eight\n");
    Files.writeString(root.resolve("negative_batch/config.pbtxt"),
        irisConfig.replace("\"iris_classifier\"", "\"negative_batch\"")
            .replace("max_batch_size: 32", "max_batch_size: -1"));
    Files.writeString(root.resolve("empty_warmup/config.pbtxt"),
        irisConfig.replace("\"iris_classifier\"", "\"empty_warmup\"")
            + "model_warmup [ { name: \"w\" } ]\n");

    server = SluiceServer.start(GatewayConfig.builder()
        .modelRepository(root)
        .host("127.0.0.1")
        .httpPort(0)
        .grpcPort(0)
        .metricsPort(0)
        .eventLoopThreads(1)
        .strictReadiness(false)
        .build());
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
  }

  @AfterAll
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  /** No absolute path of this server, no class name, no URL. */
  private void assertClean(String text, String where) {
    assertThat(text).as(where)
        .doesNotContain(root.toString())
        .doesNotContain(tmp.toString())
        .doesNotContain(realRoot)
        .doesNotContain("/etc/")
        .doesNotContainPattern(CLASS_NAME)
        .doesNotContainPattern(URL);
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.httpPort() + path))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private Map<String, String> reasons() throws Exception {
    HttpResponse<String> r = post("/v2/repository/index", "");
    assertThat(r.statusCode()).isEqualTo(200);
    Map<String, String> out = new HashMap<>();
    for (JsonNode e : JSON.readTree(r.body())) {
      out.put(e.get("name").asText(), e.get("state").asText() + ": " + e.get("reason").asText());
    }
    return out;
  }

  @Test
  void everyReasonInTheIndexIsRelativeAndNamesNoInternals() throws Exception {
    Map<String, String> reasons = reasons();
    assertThat(reasons.get("good")).isEqualTo("READY: ");
    assertThat(reasons.get("evil_labels"))
        .startsWith("UNAVAILABLE: ").contains("label_filename \"labels.txt\"", "outside");
    assertThat(reasons.get("evil_model"))
        .startsWith("UNAVAILABLE: ").contains("evil_model/1/model.onnx", "outside");
    assertThat(reasons.get("missing_file")).contains("no model file in missing_file/1");
    assertThat(reasons.get("bad_onnx")).contains("bad_onnx/1/model.onnx");
    assertThat(reasons.get("escape")).contains("default_model_filename");
    assertThat(reasons.get("bad_config")).contains("bad_config/config.pbtxt:2:");
    reasons.forEach((model, reason) -> assertClean(reason, "index reason of " + model));

    RepositoryIndexResponse grpc = GRPCInferenceServiceGrpc.newBlockingStub(channel)
        .repositoryIndex(RepositoryIndexRequest.getDefaultInstance());
    grpc.getModelsList().forEach(m -> assertClean(m.getReason(), "gRPC index of " + m.getName()));
  }

  @Test
  void aLabelFileLinkedToEtcPasswdIsNeverServed() throws Exception {
    HttpResponse<String> r = post("/v2/models/evil_labels/infer",
        "{\"inputs\":[{\"name\":\"float_input\",\"datatype\":\"FP32\",\"shape\":[1,4],"
            + "\"data\":[5.1,3.5,1.4,0.2]}],"
            + "\"outputs\":[{\"name\":\"probabilities\",\"parameters\":{\"classification\":3}}]}");
    assertThat(r.statusCode()).isNotEqualTo(200);
    assertThat(r.body()).doesNotContain("root:").doesNotContain("/bin/");
    HttpResponse<String> load = post("/v2/repository/models/evil_labels/load", "");
    assertThat(load.statusCode()).isEqualTo(400);
    assertThat(load.body()).contains("label_filename").doesNotContain("root:");
    assertClean(load.body(), "load of evil_labels");
  }

  @Test
  void loadErrorsOverHttpAndGrpcNameNoInternals() throws Exception {
    for (String model : new String[] {"bad_onnx", "missing_file", "bad_config", "escape",
        "evil_model"}) {
      HttpResponse<String> r = post("/v2/repository/models/" + model + "/load", "");
      assertThat(r.statusCode()).as(model).isEqualTo(400);
      assertClean(r.body(), "HTTP load of " + model);
      try {
        GRPCInferenceServiceGrpc.newBlockingStub(channel).repositoryModelLoad(
            RepositoryModelLoadRequest.newBuilder().setModelName(model).build());
        throw new AssertionError("loaded " + model);
      } catch (StatusRuntimeException e) {
        assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
        assertClean(String.valueOf(e.getStatus().getDescription()), "gRPC load of " + model);
      }
    }
  }

  @Test
  void aMalformedOverrideNamesNeitherTheJsonLibraryNorItsTroubleshootingPage() throws Exception {
    HttpResponse<String> r = post("/v2/repository/models/good/load",
        "{\"parameters\":{\"config\":\"{bad json\"}}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("invalid 'config' parameter").doesNotContain("gson")
        .doesNotContain("See ");
    assertClean(r.body(), "override");
  }

  @Test
  void configValuesTheRuntimeRefusesAreLoadErrorsNamingTheField() throws Exception {
    // Found by the fuzz run: max_batch_size -1 failed inside the batcher (its own camel-case
    // names, or an internal error), and a warm-up without inputs bypassed the request validator
    // and failed as INTERNAL "request has no inputs".
    Map<String, String> reasons = reasons();
    assertThat(reasons.get("negative_batch")).contains("max_batch_size: -1");
    assertThat(reasons.get("empty_warmup")).contains("model_warmup 'w'")
        .doesNotContain("internal error");

    HttpResponse<String> warmup = post("/v2/repository/models/good/load",
        "{\"parameters\":{\"config\":\"{\\\"name\\\":\\\"good\\\",\\\"max_batch_size\\\":32,"
            + "\\\"model_warmup\\\":[{\\\"name\\\":\\\"w\\\"}]}\"}}");
    assertThat(warmup.statusCode()).isEqualTo(400);
    assertThat(warmup.body()).contains("model_warmup 'w'").doesNotContain("internal error");

    // The good copy kept serving throughout.
    assertThat(reasons().get("good")).isEqualTo("READY: ");
  }
}
