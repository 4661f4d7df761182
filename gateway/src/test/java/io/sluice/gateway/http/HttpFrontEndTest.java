package io.sluice.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.sluice.runtime.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The real server on an ephemeral port, spoken to by {@code java.net.http} and raw sockets. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpFrontEndTest {
  private static final int LIMIT = 1 << 20;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final FakeServingApi api = new FakeServingApi();
  private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoopGroup workers =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private HttpFrontEnd server;

  @BeforeAll
  void startServer() {
    server = HttpFrontEnd.start(
        new HttpConfig("127.0.0.1", 0, LIMIT), api, boss, workers);
  }

  @AfterAll
  void stopServer() {
    server.close();
    boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    api.close();
  }

  // ---- helpers

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(uri(path)).GET().build(),
        BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body)
      throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(uri(path)).POST(BodyPublishers.ofString(body))
        .build(), BodyHandlers.ofString());
  }

  private HttpResponse<byte[]> postBinary(String path, String json, byte[]... buffers)
      throws IOException, InterruptedException {
    byte[] body = binaryBody(json, buffers);
    return client.send(HttpRequest.newBuilder(uri(path))
            .header(InferRequestDecoder.HEADER_CONTENT_LENGTH,
                String.valueOf(json.getBytes(StandardCharsets.UTF_8).length))
            .POST(BodyPublishers.ofByteArray(body)).build(),
        BodyHandlers.ofByteArray());
  }

  private static byte[] binaryBody(String json, byte[]... buffers) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(json.getBytes(StandardCharsets.UTF_8));
    for (byte[] buf : buffers) {
      b.writeBytes(buf);
    }
    return b.toByteArray();
  }

  private static JsonNode json(String body) throws IOException {
    return MAPPER.readTree(body);
  }

  /** The JSON part of a response with a binary section. */
  private static JsonNode header(HttpResponse<byte[]> r) throws IOException {
    int n = Integer.parseInt(
        r.headers().firstValue(InferRequestDecoder.HEADER_CONTENT_LENGTH).orElseThrow());
    return MAPPER.readTree(new String(r.body(), 0, n, StandardCharsets.UTF_8));
  }

  private static byte[] binarySection(HttpResponse<byte[]> r) {
    int n = Integer.parseInt(
        r.headers().firstValue(InferRequestDecoder.HEADER_CONTENT_LENGTH).orElseThrow());
    return Arrays.copyOfRange(r.body(), n, r.body().length);
  }

  private static byte[] floatsLe(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  // ---- health and metadata

  @Test
  void liveAnswers200WithLiveTrue() throws Exception {
    HttpResponse<String> r = get("/v2/health/live");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"live\":true}");
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
  }

  @Test
  void readyAnswers200WithReadyTrue() throws Exception {
    HttpResponse<String> r = get("/v2/health/ready");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"ready\":true}");
  }

  @Test
  void aServerThatIsNotReadyAnswers503WithAnError() throws Exception {
    api.ready = false;
    try {
      HttpResponse<String> r = get("/v2/health/ready");
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(json(r.body()).get("error").asText()).contains("not ready");
    } finally {
      api.ready = true;
    }
  }

  @Test
  void serverMetadataListsNameVersionAndExtensions() throws Exception {
    JsonNode body = json(get("/v2").body());
    assertThat(body.get("name").asText()).isEqualTo("sluice");
    assertThat(body.get("version").asText()).isEqualTo("0.1.0");
    assertThat(body.get("extensions").toString()).contains("\"statistics\"");
  }

  @Test
  void modelMetadataListsVersionsPlatformAndTensors() throws Exception {
    HttpResponse<String> r = get("/v2/models/echo");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"name\":\"echo\",\"versions\":[\"1\"],"
        + "\"platform\":\"onnxruntime_onnx\","
        + "\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,4]}],"
        + "\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[-1,2]}]}");
  }

  @Test
  void theVersionInThePathReachesTheApi() throws Exception {
    assertThat(get("/v2/models/echo/versions/1").statusCode()).isEqualTo(200);
    HttpResponse<String> r = get("/v2/models/echo/versions/2");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(json(r.body()).get("error").asText()).contains("unknown version 2");
  }

  @Test
  void anUnknownModelIs404WithAnError() throws Exception {
    HttpResponse<String> r = get("/v2/models/nope/ready");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("{\"error\":\"unknown model 'nope'\"}");
  }

  @Test
  void aReadyModelAnswersWithItsNameAndReadyTrue() throws Exception {
    HttpResponse<String> r = get("/v2/models/echo/versions/1/ready");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"name\":\"echo\",\"ready\":true}");
  }

  @Test
  void aModelThatIsNotReadyAnswers503() throws Exception {
    api.modelReady = false;
    try {
      HttpResponse<String> r = get("/v2/models/echo/ready");
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(json(r.body()).get("error").asText()).isEqualTo("model 'echo' is not ready");
    } finally {
      api.modelReady = true;
    }
  }

  @Test
  void aPercentEncodedModelNameIsDecoded() throws Exception {
    HttpResponse<String> r = get("/v2/models/%65cho/ready");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r.body()).get("name").asText()).isEqualTo("echo");
  }

  @Test
  void theQueryStringIsIgnored() throws Exception {
    assertThat(get("/v2/health/live?verbose=true").statusCode()).isEqualTo(200);
  }

  @Test
  void theConfigIsPrintedAsTritonPrintsIt() throws Exception {
    JsonNode config = json(get("/v2/models/echo/config").body());
    assertThat(config.get("max_batch_size").isInt()).isTrue();
    assertThat(config.get("max_batch_size").asInt()).isEqualTo(8);
    assertThat(config.get("input").get(0).get("data_type").asText()).isEqualTo("TYPE_FP32");
    assertThat(config.get("input").get(0).get("dims").toString()).isEqualTo("[4]");
    assertThat(config.get("dynamic_batching").get("preferred_batch_size").toString())
        .isEqualTo("[8]");
    assertThat(config.has("sequence_batching")).isFalse();
  }

  @Test
  void statisticsOfEveryModelHaveEveryCounterAsAnInteger() throws Exception {
    JsonNode stats = json(get("/v2/models/stats").body()).get("model_stats").get(0);
    assertThat(stats.get("name").asText()).isEqualTo("echo");
    assertThat(stats.get("version").asText()).isEqualTo("1");
    assertThat(stats.get("inference_count").asLong()).isEqualTo(3);
    assertThat(stats.get("inference_stats").get("queue").get("count").asLong()).isEqualTo(3);
    assertThat(stats.get("inference_stats").get("cache_hit").get("ns").isIntegralNumber())
        .isTrue();
    assertThat(stats.get("batch_stats").isArray()).isTrue();
  }

  @Test
  void statisticsOfOneModelVersionAreServed() throws Exception {
    assertThat(get("/v2/models/echo/versions/1/stats").statusCode()).isEqualTo(200);
    assertThat(get("/v2/models/echo/stats").statusCode()).isEqualTo(200);
    assertThat(get("/v2/models/nope/stats").statusCode()).isEqualTo(404);
  }

  // ---- repository

  @Test
  void theRepositoryIndexListsEveryModelWithItsState() throws Exception {
    HttpResponse<String> r = post("/v2/repository/index", "");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(api.lastReadyOnly).isFalse();
    assertThat(r.body()).isEqualTo(
        "[{\"name\":\"echo\",\"version\":\"1\",\"state\":\"READY\",\"reason\":\"\"},"
            + "{\"name\":\"broken\",\"version\":\"1\",\"state\":\"UNAVAILABLE\","
            + "\"reason\":\"no model file\"}]");
  }

  @Test
  void theRepositoryIndexPassesReadyOnly() throws Exception {
    assertThat(post("/v2/repository/index", "{\"ready\":true}").statusCode()).isEqualTo(200);
    assertThat(api.lastReadyOnly).isTrue();
  }

  @Test
  void loadPassesItsParametersAsStringsAndAnswersAnEmptyBody() throws Exception {
    HttpResponse<String> r = post("/v2/repository/models/echo/load",
        "{\"parameters\":{\"config\":\"{\\\"max_batch_size\\\":4}\",\"n\":3}}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
    assertThat(api.lastLoadParameters)
        .isEqualTo(Map.of("config", "{\"max_batch_size\":4}", "n", "3"));
    assertThat(api.completedOn).isEqualTo(FakeServingApi.FAKE_THREAD);
  }

  @Test
  void aFailedLoadAnswersWithItsStatus() throws Exception {
    HttpResponse<String> r = post("/v2/repository/models/missing/load", "");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(json(r.body()).get("error").asText()).contains("no model 'missing'");
  }

  @Test
  void unloadAnswersAnEmptyBody() throws Exception {
    HttpResponse<String> r = post("/v2/repository/models/echo/unload", "");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(api.lastUnloaded).isEqualTo("echo");
  }

  // ---- routing errors

  @Test
  void anUnknownRouteIs404NotFound() throws Exception {
    HttpResponse<String> r = get("/v2/nothing/here");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEqualTo("{\"error\":\"Not Found\"}");
  }

  @Test
  void aKnownPathWithTheWrongMethodIs405WithAllow() throws Exception {
    HttpResponse<String> r = post("/v2/health/live", "");
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.body()).isEqualTo("{\"error\":\"Method Not Allowed\"}");
    assertThat(r.headers().firstValue("allow")).hasValue("GET");
    assertThat(get("/v2/models/echo/infer").headers().firstValue("allow")).hasValue("POST");
  }

  @Test
  void aNonNumericVersionIs400() throws Exception {
    HttpResponse<String> r = get("/v2/models/echo/versions/latest");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r.body()).get("error").asText()).contains("expected: decimal digits");
  }

  // ---- inference, JSON

  @Test
  void nestedFp32JsonDataComesBackFlatWithItsShape() throws Exception {
    HttpResponse<String> r = post("/v2/models/echo/infer",
        "{\"id\":\"42\",\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2,2],"
            + "\"data\":[[1.5,2],[3,4.25]]}]}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"model_name\":\"echo\",\"model_version\":\"1\","
        + "\"id\":\"42\",\"outputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2,2],"
        + "\"data\":[1.5,2.0,3.0,4.25]}]}");
  }

  @Test
  void flatInt64JsonDataKeepsEveryDigit() throws Exception {
    HttpResponse<String> r = post("/v2/models/echo/infer",
        "{\"inputs\":[{\"name\":\"i\",\"datatype\":\"INT64\",\"shape\":[3],"
            + "\"data\":[9223372036854775807,-1,0]}]}");
    JsonNode out = json(r.body()).get("outputs").get(0);
    assertThat(out.get("data").toString()).isEqualTo("[9223372036854775807,-1,0]");
    assertThat(json(r.body()).has("id")).isFalse();
  }

  @Test
  void boolJsonDataComesBackAsBooleans() throws Exception {
    HttpResponse<String> r = post("/v2/models/echo/infer",
        "{\"inputs\":[{\"name\":\"b\",\"datatype\":\"BOOL\",\"shape\":[1,3],"
            + "\"data\":[[true,false,true]]}]}");
    assertThat(json(r.body()).get("outputs").get(0).get("data").toString())
        .isEqualTo("[true,false,true]");
  }

  @Test
  void bytesJsonDataComesBackAsStrings() throws Exception {
    HttpResponse<String> r = post("/v2/models/echo/infer",
        "{\"inputs\":[{\"name\":\"s\",\"datatype\":\"BYTES\",\"shape\":[2],"
            + "\"data\":[\"ab\",\"\"]}]}");
    assertThat(json(r.body()).get("outputs").get(0).get("data").toString())
        .isEqualTo("[\"ab\",\"\"]");
  }

  @Test
  void theFakeCompletesOffTheEventLoopAndTheAnswerStillArrives() throws Exception {
    api.completedOn = null;
    HttpResponse<String> r = post("/v2/models/echo/infer",
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(api.completedOn).isEqualTo(FakeServingApi.FAKE_THREAD);
  }

  @Test
  void requestParametersReachTheApi() throws Exception {
    post("/v2/models/echo/versions/1/infer",
        "{\"parameters\":{\"priority\":3,\"timeout\":2000},"
            + "\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]}");
    assertThat(api.lastVersion).isEqualTo("1");
    assertThat(api.lastRequest.priority()).isEqualTo(3);
    assertThat(api.lastRequest.timeoutMicros()).isEqualTo(2000L);
  }

  // ---- inference, binary

  @Test
  void binaryFp32InAndOutRoundTrips() throws Exception {
    HttpResponse<byte[]> r = postBinary("/v2/models/echo/infer",
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,2],"
            + "\"parameters\":{\"binary_data_size\":8}}],"
            + "\"parameters\":{\"binary_data_output\":true}}",
        floatsLe(0.25f, -8f));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/octet-stream");
    JsonNode out = header(r).get("outputs").get(0);
    assertThat(out.get("parameters").get("binary_data_size").asInt()).isEqualTo(8);
    assertThat(out.has("data")).isFalse();
    assertThat(binarySection(r)).containsExactly(floatsLe(0.25f, -8f));
  }

  @Test
  void aLargeBinaryInputSpanningManyReadsArrivesIntact() throws Exception {
    float[] values = new float[200_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = i;
    }
    HttpResponse<byte[]> r = postBinary("/v2/models/echo/infer",
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[200000],"
            + "\"parameters\":{\"binary_data_size\":800000}}],"
            + "\"parameters\":{\"binary_data_output\":true}}",
        floatsLe(values));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(binarySection(r)).isEqualTo(floatsLe(values));
  }

  @Test
  void binaryBytesInAndOutKeepTheirFraming() throws Exception {
    byte[] framed = ByteBufUtil.decodeHexDump("02000000616200000000");
    HttpResponse<byte[]> r = postBinary("/v2/models/echo/infer",
        "{\"inputs\":[{\"name\":\"s\",\"datatype\":\"BYTES\",\"shape\":[2],"
            + "\"parameters\":{\"binary_data_size\":10}}],"
            + "\"outputs\":[{\"name\":\"s\",\"parameters\":{\"binary_data\":true}}]}",
        framed);
    assertThat(ByteBufUtil.hexDump(binarySection(r))).isEqualTo("02000000616200000000");
  }

  @Test
  void binaryBytesInComeBackAsJsonStringsWhenAsked() throws Exception {
    HttpResponse<byte[]> r = postBinary("/v2/models/echo/infer",
        "{\"inputs\":[{\"name\":\"s\",\"datatype\":\"BYTES\",\"shape\":[2],"
            + "\"parameters\":{\"binary_data_size\":10}}]}",
        ByteBufUtil.decodeHexDump("02000000616200000000"));
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode body = MAPPER.readTree(r.body());
    assertThat(body.get("outputs").get(0).get("data").toString()).isEqualTo("[\"ab\",\"\"]");
  }

  @Test
  void binaryAndJsonOutputsMixInOneResponse() throws Exception {
    HttpResponse<byte[]> r = postBinary("/v2/models/echo/infer",
        "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1],"
            + "\"parameters\":{\"binary_data_size\":4}},"
            + "{\"name\":\"b\",\"datatype\":\"INT32\",\"shape\":[2],\"data\":[5,6]}],"
            + "\"outputs\":[{\"name\":\"b\",\"parameters\":{\"binary_data\":false}},"
            + "{\"name\":\"a\",\"parameters\":{\"binary_data\":true}}]}",
        floatsLe(7f));
    JsonNode outputs = header(r).get("outputs");
    assertThat(outputs.get(0).get("name").asText()).isEqualTo("b");
    assertThat(outputs.get(0).get("data").toString()).isEqualTo("[5,6]");
    assertThat(outputs.get(0).has("parameters")).isFalse();
    assertThat(outputs.get(1).get("parameters").get("binary_data_size").asInt()).isEqualTo(4);
    assertThat(binarySection(r)).containsExactly(floatsLe(7f));
  }

  // ---- transport

  @Test
  void aGzipRequestBodyIsDecompressed() throws Exception {
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
      gz.write(("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"INT32\",\"shape\":[1],"
          + "\"data\":[11]}]}").getBytes(StandardCharsets.UTF_8));
    }
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/v2/models/echo/infer"))
        .header("Content-Encoding", "gzip")
        .POST(BodyPublishers.ofByteArray(zipped.toByteArray())).build(), BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r.body()).get("outputs").get(0).get("data").toString()).isEqualTo("[11]");
  }

  @Test
  void expectContinueIsHonoured() throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/v2/models/echo/infer"))
        .expectContinue(true)
        .POST(BodyPublishers.ofString("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"INT32\","
            + "\"shape\":[1],\"data\":[1]}]}")).build(), BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void expectContinueSends100BeforeTheBody() throws Exception {
    byte[] body = ("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"INT32\",\"shape\":[1],"
        + "\"data\":[1]}]}").getBytes(StandardCharsets.UTF_8);
    try (RawHttpConnection c = new RawHttpConnection(server.port())) {
      c.write(("POST /v2/models/echo/infer HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
          + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      assertThat(c.read().status()).isEqualTo(100);
      c.write(body);
      assertThat(c.read().status()).isEqualTo(200);
    }
  }

  @Test
  void aBodyOverTheLimitIs413WithAnError() throws Exception {
    HttpResponse<String> r = post("/v2/models/echo/infer", "x".repeat(LIMIT + 1));
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(json(r.body()).get("error").asText()).contains("at most " + LIMIT + " bytes");
  }

  @Test
  void expectContinueOverTheLimitIs413BeforeTheBodyIsSent() throws Exception {
    try (RawHttpConnection c = new RawHttpConnection(server.port())) {
      c.write(("POST /v2/models/echo/infer HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
          + "Content-Length: " + (LIMIT + 1) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      RawHttpConnection.Response r = c.read();
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.text()).startsWith("{\"error\":");
      assertThat(c.isClosedByServer()).isTrue();
    }
  }

  @Test
  void aClientOfferingAnH2cUpgradeIsAnsweredInHttp11() throws Exception {
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    HttpResponse<String> r = h2.send(HttpRequest.newBuilder(uri("/v2/health/live")).build(),
        BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
  }

  @Test
  void keepAliveServesManyRequestsOnOneConnection() throws Exception {
    try (RawHttpConnection c = new RawHttpConnection(server.port())) {
      for (int i = 0; i < 3; i++) {
        assertThat(c.get("/v2/health/live").status()).isEqualTo(200);
      }
    }
  }

  // ---- bad input, then a good request on the same connection

  private static final String GOOD =
      "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2],\"data\":[1,2]}]}";

  record BadInput(String what, String headers, byte[] body, String message) {
    @Override
    public String toString() {
      return what;
    }
  }

  private static BadInput bad(String what, String json, String message) {
    return new BadInput(what, "", json.getBytes(StandardCharsets.UTF_8), message);
  }

  private static BadInput badBinary(String what, String headerLength, String json,
      byte[] binary, String message) {
    return new BadInput(what, InferRequestDecoder.HEADER_CONTENT_LENGTH + ": " + headerLength
        + "\r\n", binaryBody(json, binary), message);
  }

  static Stream<BadInput> badInputs() {
    String binaryInput = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2],"
        + "\"parameters\":{\"binary_data_size\":8}}]}";
    String length = String.valueOf(binaryInput.length());
    String both = binaryInput.replace("\"shape\"", "\"data\":[1,2],\"shape\"");
    return Stream.of(
        bad("malformed JSON", "{\"inputs\":[", "malformed"),
        badBinary("a non-numeric header length", "abc", binaryInput, floatsLe(1, 2), "'abc'"),
        badBinary("a negative header length", "-5", binaryInput, floatsLe(1, 2), "'-5'"),
        badBinary("a header length larger than the body", "100000", binaryInput,
            floatsLe(1, 2), "larger than the"),
        badBinary("binary sizes that do not add up", length, binaryInput, floatsLe(1, 2, 3),
            "add up to 8"),
        badBinary("truncated binary data", length, binaryInput, floatsLe(1),
            "only 4 bytes of binary data remain"),
        bad("a missing datatype", "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"data\":[1]}]}",
            "no 'datatype'"),
        bad("a missing shape", "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\","
            + "\"data\":[1]}]}", "no 'shape'"),
        badBinary("data and binary both", String.valueOf(both.length()), both, floatsLe(1, 2),
            "both 'data' and binary_data_size"),
        bad("FP16 in JSON", "{\"inputs\":[{\"name\":\"h\",\"datatype\":\"FP16\",\"shape\":[1],"
            + "\"data\":[1]}]}", "FP16 data cannot be given as JSON"),
        bad("an integer out of range", "{\"inputs\":[{\"name\":\"i\",\"datatype\":\"INT8\","
            + "\"shape\":[1],\"data\":[300]}]}", "out of range for INT8"),
        bad("an element count that does not match the shape", "{\"inputs\":[{\"name\":\"x\","
            + "\"datatype\":\"FP32\",\"shape\":[3],\"data\":[1,2]}]}", "2 elements"));
  }

  @ParameterizedTest(name = "{0} is a 400, then the connection serves on")
  @MethodSource("badInputs")
  void badInputIs400AndTheConnectionServesOn(BadInput input) throws Exception {
    try (RawHttpConnection c = new RawHttpConnection(server.port())) {
      RawHttpConnection.Response r = c.post("/v2/models/echo/infer", input.headers(),
          input.body());
      assertThat(r.status()).isEqualTo(400);
      assertThat(json(r.text()).get("error").asText()).contains(input.message());
      RawHttpConnection.Response good =
          c.post("/v2/models/echo/infer", "", GOOD.getBytes(StandardCharsets.UTF_8));
      assertThat(good.status()).isEqualTo(200);
      assertThat(json(good.text()).get("outputs").get(0).get("data").toString())
          .isEqualTo("[1.0,2.0]");
    }
  }

  @Test
  void anUnexpectedFailureIs500WithAGenericMessageAndTheConnectionServesOn() throws Exception {
    api.inferOverride = request -> {
      throw new IllegalStateException("unexpected");
    };
    try (RawHttpConnection c = new RawHttpConnection(server.port())) {
      RawHttpConnection.Response r =
          c.post("/v2/models/echo/infer", "", GOOD.getBytes(StandardCharsets.UTF_8));
      assertThat(r.status()).isEqualTo(500);
      assertThat(r.text()).isEqualTo("{\"error\":\"" + Status.INTERNAL_ERROR + "\"}");
      api.inferOverride = null;
      assertThat(c.post("/v2/models/echo/infer", "", GOOD.getBytes(StandardCharsets.UTF_8))
          .status()).isEqualTo(200);
    } finally {
      api.inferOverride = null;
    }
  }

  // ---- lifecycle

  @Test
  void closeStopsAcceptingButLeavesTheEventLoopsRunning() throws Exception {
    HttpFrontEnd other = HttpFrontEnd.start(new HttpConfig("127.0.0.1", 0, LIMIT), api, boss,
        workers);
    int port = other.port();
    assertThat(port).isPositive().isNotEqualTo(server.port());
    other.close();
    // No listener holds the port any more. Each single probe can be fooled on Linux: a re-bind
    // is refused while any client socket happens to own the same ephemeral port, and a connect
    // to a free ephemeral port can "succeed" by connecting the socket to itself. So: the port
    // is free when it binds again, or when a connection is refused or is only a self-connect.
    // The JDK closes a selector-registered listener's descriptor only at the event loop's next
    // select, a moment after the close future completes, so the port is awaited, not sampled.
    await("port " + port + " is free after close")
        .atMost(Duration.ofSeconds(10))
        .until(() -> portIsFree(port));
    assertThat(workers.isShuttingDown()).isFalse();
  }

  @Test
  void startingOnABusyPortFailsWithTheAddress() {
    assertThatThrownBy(() -> HttpFrontEnd.start(
            new HttpConfig("127.0.0.1", server.port(), LIMIT), api, boss, workers))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("127.0.0.1:" + server.port());
  }

  private static boolean portIsFree(int port) throws java.io.IOException {
    try (java.net.ServerSocket again = new java.net.ServerSocket()) {
      again.setReuseAddress(true);
      again.bind(new java.net.InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (java.net.BindException busyByAClientSocket) {
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
        return s.getLocalPort() == port;
      } catch (java.net.ConnectException refused) {
        return true;
      }
    }
  }
}
