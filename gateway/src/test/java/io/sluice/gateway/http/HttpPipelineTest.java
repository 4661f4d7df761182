package io.sluice.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.sluice.gateway.core.V2InferResponse;
import io.sluice.runtime.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The whole pipeline in an EmbeddedChannel: framing, limits, ordering and buffer ownership. */
class HttpPipelineTest {
  private static final int LIMIT = 1024;
  private static final String INFER_JSON =
      "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2],\"data\":[1,2]}]}";

  private final FakeServingApi api = new FakeServingApi();
  private final EmbeddedHttp http =
      new EmbeddedHttp(HttpConfig.ofDefaults().withMaxBodyBytes(LIMIT), api);

  HttpPipelineTest() {
    // An EmbeddedChannel has no event loop thread to hop to: answer on the caller's thread.
    api.inferOverride =
        request -> CompletableFuture.completedFuture(FakeServingApi.echo("echo", request));
  }

  @AfterEach
  void nothingIsLeftOverAndEveryBufferIsReleased() {
    http.assertClean();
    api.close();
  }

  private static String post(String path, String extraHeaders, String body) {
    return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: "
        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n" + extraHeaders + "\r\n" + body;
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
  }

  private void answerInferenceWith(CompletableFuture<V2InferResponse> future) {
    api.inferOverride = request -> future;
  }

  @Test
  void aControlRequestIsAnsweredAndItsBufferReleased() {
    http.send(get("/v2/health/live"));
    FullHttpResponse r = http.response();
    assertThat(r.status().code()).isEqualTo(200);
    assertThat(EmbeddedHttp.body(r)).isEqualTo("{\"live\":true}");
    assertThat(r.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(13);
  }

  @Test
  void anInferenceRequestStaysRetainedUntilItsResponseIsWritten() {
    CompletableFuture<V2InferResponse> pending = new CompletableFuture<>();
    answerInferenceWith(pending);
    http.send(post("/v2/models/echo/infer", "", INFER_JSON));
    assertThat(http.response()).isNull();
    pending.complete(FakeServingApi.echo("echo", api.lastRequest));
    FullHttpResponse r = http.response();
    assertThat(r.status().code()).isEqualTo(200);
    assertThat(EmbeddedHttp.body(r)).contains("\"data\":[1.0,2.0]");
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderWhileAnInferenceIsPending() {
    CompletableFuture<V2InferResponse> pending = new CompletableFuture<>();
    answerInferenceWith(pending);
    http.send(post("/v2/models/echo/infer", "", INFER_JSON) + get("/v2/health/live"));
    assertThat(http.response()).isNull();
    assertThat(http.server.config().isAutoRead()).isFalse();
    pending.complete(FakeServingApi.echo("echo", api.lastRequest));
    assertThat(EmbeddedHttp.body(http.response())).startsWith("{\"model_name\"");
    assertThat(EmbeddedHttp.body(http.response())).isEqualTo("{\"live\":true}");
    assertThat(http.server.config().isAutoRead()).isTrue();
  }

  @Test
  void expectContinueGetsA100ThenTheAnswer() {
    byte[] body = INFER_JSON.getBytes(StandardCharsets.UTF_8);
    http.send("POST /v2/models/echo/infer HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
        + "Content-Length: " + body.length + "\r\n\r\n");
    assertThat(http.response().status().code()).isEqualTo(100);
    http.send(body);
    assertThat(http.response().status().code()).isEqualTo(200);
  }

  @Test
  void expectContinueWithATooLargeContentLengthGets413BeforeTheBodyAndCloses() {
    http.send("POST /v2/models/echo/infer HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
        + "Content-Length: " + (LIMIT + 1) + "\r\n\r\n");
    FullHttpResponse r = http.response();
    assertThat(r.status().code()).isEqualTo(413);
    assertThat(EmbeddedHttp.body(r)).startsWith("{\"error\":\"request body of 1025 bytes");
    assertThat(r.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
    assertThat(http.server.isOpen()).isFalse();
  }

  @Test
  void aDeclaredBodyOverTheLimitGets413AndItsBytesAreSkipped() {
    http.send(post("/v2/models/echo/infer", "", "x".repeat(LIMIT + 1)) + get("/v2/health/live"));
    FullHttpResponse r = http.response();
    assertThat(r.status().code()).isEqualTo(413);
    assertThat(EmbeddedHttp.body(r)).contains("expected: at most 1024 bytes");
    assertThat(http.response().status().code()).isEqualTo(200);
  }

  @Test
  void aChunkedBodyOverTheLimitGets413AndClosesTheConnection() {
    String chunk = "x".repeat(600);
    http.send("POST /v2/models/echo/infer HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "258\r\n" + chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n");
    FullHttpResponse r = http.response();
    assertThat(r.status().code()).isEqualTo(413);
    assertThat(r.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
    assertThat(http.server.isOpen()).isFalse();
  }

  @Test
  void aGzipBodyIsDecompressedBeforeDecoding() throws IOException {
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
      gz.write(INFER_JSON.getBytes(StandardCharsets.UTF_8));
    }
    sendCompressed("gzip", zipped.toByteArray());
    assertThat(EmbeddedHttp.body(http.response())).contains("\"data\":[1.0,2.0]");
  }

  @Test
  void aDeflateBodyIsDecompressedBeforeDecoding() throws IOException {
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (DeflaterOutputStream z = new DeflaterOutputStream(zipped)) {
      z.write(INFER_JSON.getBytes(StandardCharsets.UTF_8));
    }
    sendCompressed("deflate", zipped.toByteArray());
    assertThat(EmbeddedHttp.body(http.response())).contains("\"data\":[1.0,2.0]");
  }

  @Test
  void aGzipBodyThatDecompressesPastTheLimitGets413() throws IOException {
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
      gz.write(new byte[LIMIT * 8]);
    }
    sendCompressed("gzip", zipped.toByteArray());
    assertThat(http.response().status().code()).isEqualTo(413);
  }

  private void sendCompressed(String encoding, byte[] body) {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    raw.writeBytes(("POST /v2/models/echo/infer HTTP/1.1\r\nHost: x\r\nContent-Encoding: "
        + encoding + "\r\nContent-Length: " + body.length + "\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1));
    raw.writeBytes(body);
    http.send(raw.toByteArray());
  }

  @Test
  void malformedHttpGets400AndClosesTheConnection() {
    http.send("GET /v2 HTTP/1.1\r\nContent-Length: abc\r\n\r\n");
    FullHttpResponse r = http.response();
    assertThat(r.status().code()).isEqualTo(400);
    assertThat(r.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
    assertThat(http.server.isOpen()).isFalse();
  }

  @Test
  void anUnexpectedExceptionFromTheApiIs500WithAGenericMessageAndTheConnectionServesOn() {
    api.inferOverride = request -> {
      throw new IllegalStateException("boom");
    };
    http.send(post("/v2/models/echo/infer", "", INFER_JSON));
    FullHttpResponse r = http.response();
    assertThat(r.status().code()).isEqualTo(500);
    assertThat(EmbeddedHttp.body(r))
        .isEqualTo("{\"error\":\"" + Status.INTERNAL_ERROR + "\"}")
        .doesNotContain("boom");
    http.send(get("/v2/health/live"));
    assertThat(http.response().status().code()).isEqualTo(200);
  }

  @Test
  void aFailedInferenceAnswersWithItsStatus() {
    answerInferenceWith(CompletableFuture.failedFuture(
        Status.unavailable("queue is full (expected: at most 4 waiting)").asException()));
    http.send(post("/v2/models/echo/infer", "", INFER_JSON));
    FullHttpResponse r = http.response();
    assertThat(r.status().code()).isEqualTo(503);
    assertThat(EmbeddedHttp.body(r)).contains("queue is full");
  }

  @Test
  void aCancelledInferenceClosesTheConnectionWithoutAnAnswer() {
    answerInferenceWith(CompletableFuture.failedFuture(
        Status.of(Status.Code.CANCELLED, "client went away").asException()));
    http.send(post("/v2/models/echo/infer", "", INFER_JSON));
    assertThat(http.response()).isNull();
    assertThat(http.server.isOpen()).isFalse();
  }

  @Test
  void aConnectionClosingWithQueuedRequestsReleasesThem() {
    CompletableFuture<V2InferResponse> pending = new CompletableFuture<>();
    answerInferenceWith(pending);
    http.send(post("/v2/models/echo/infer", "", INFER_JSON) + get("/v2/health/live"));
    http.server.close();
    pending.complete(FakeServingApi.echo("echo", api.lastRequest));
    http.server.runPendingTasks();
  }

  @Test
  void anHttp10RequestWithoutKeepAliveIsAnsweredThenClosed() {
    http.send("GET /v2/health/live HTTP/1.0\r\n\r\n");
    assertThat(http.response().status().code()).isEqualTo(200);
    assertThat(http.server.isOpen()).isFalse();
  }

  // ---- found by the fuzz run (HttpDecoderFuzzTest), kept as named regressions

  @Test
  void aClientThatLeavesMidBodyGetsNoAnswerIsCountedOnceAndItsBytesAreReleased() {
    http.send("POST /v2/models/echo/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
        + "{\"inputs\":");
    assertThat(http.response()).isNull();
    // Was: a WARN with the PrematureChannelClosureException's stack trace per connection.
    http.server.close();
    assertThat(http.response()).isNull();
    assertThat(api.disconnects.get()).isEqualTo(1);
    assertThat(RequestDispatcher.isClientGone(
        new io.netty.handler.codec.PrematureChannelClosureException("closed"))).isTrue();
    assertThat(RequestDispatcher.isClientGone(new io.netty.handler.codec.DecoderException(
        new java.io.IOException("Connection reset by peer")))).isTrue();
    assertThat(RequestDispatcher.isClientGone(new IllegalStateException("bug"))).isFalse();
  }

  @Test
  void aCorruptGzipBodyIs400ClosesTheConnectionAndIsCounted() {
    // Was: a WARN and the decompressor's stack trace when it failed after the first chunk.
    // A gzip header with compression method 9, which no gzip stream has.
    sendCompressed("gzip", new byte[] {0x1f, (byte) 0x8b, 9, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4});
    FullHttpResponse r = http.response();
    assertThat(r.status().code()).isEqualTo(400);
    assertThat(EmbeddedHttp.body(r)).contains("cannot be decompressed").doesNotContain("Exception");
    assertThat(r.headers().get(HttpHeaderNames.CONNECTION)).isEqualToIgnoringCase("close");
    assertThat(api.errors).contains("http INVALID_ARGUMENT");
  }

  @Test
  void aHugeValueEchoedInAnErrorIsAnsweredAtOnceAndCut() {
    // A 70 KB datatype: the first SafeText took 80 s of an event loop to clean its echo.
    String datatype = "x".repeat(70_000);
    EmbeddedHttp big = new EmbeddedHttp(HttpConfig.ofDefaults(), api);
    long start = System.nanoTime();
    big.send(post("/v2/models/echo/infer", "", "{\"inputs\":[{\"name\":\"x\",\"datatype\":\""
        + datatype + "\",\"shape\":[1],\"data\":[1]}]}"));
    FullHttpResponse r = big.response();
    assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
    assertThat(r.status().code()).isEqualTo(400);
    assertThat(r.content().readableBytes()).isLessThan(3000);
    assertThat(EmbeddedHttp.body(r)).contains("unknown datatype").contains("(cut)");
    big.assertClean();
  }

  @Test
  void anInferenceRefusedAtTheFrontDoorIsAnswered503WithoutReachingTheApi() {
    api.admission = Status.overloaded("overloaded: test", 1000);
    http.send(post("/v2/models/echo/infer", "", INFER_JSON) + get("/v2/health/live"));

    FullHttpResponse refused = http.response();
    assertThat(refused.status().code()).isEqualTo(503);
    assertThat(refused.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("1");
    assertThat(refused.headers().contains(HttpHeaderNames.CONNECTION)).isFalse();
    assertThat(EmbeddedHttp.body(refused)).isEqualTo("{\"error\":\"overloaded: test\"}");
    assertThat(EmbeddedHttp.body(http.response())).as("health is never refused")
        .isEqualTo("{\"live\":true}");
    assertThat(api.lastRequest).as("the refused request never reached the api").isNull();
  }

  @Test
  void aRefusalBehindAPendingInferenceIsAnsweredInRequestOrder() {
    CompletableFuture<V2InferResponse> pending = new CompletableFuture<>();
    answerInferenceWith(pending);
    http.send(post("/v2/models/echo/infer", "", INFER_JSON));
    api.admission = Status.overloaded("overloaded: test", 1000);
    http.send(post("/v2/models/echo/infer", "", INFER_JSON) + get("/v2/health/live"));
    assertThat(http.response()).isNull();

    pending.complete(FakeServingApi.echo("echo", api.lastRequest));

    assertThat(http.response().status().code()).isEqualTo(200);
    assertThat(http.response().status().code()).isEqualTo(503);
    assertThat(EmbeddedHttp.body(http.response())).isEqualTo("{\"live\":true}");
  }

  @Test
  void aRefusedBodyInManyChunksIsReleasedAndTheNextRequestIsAdmitted() {
    api.admission = Status.overloaded("overloaded: test", 1000);
    String raw = post("/v2/models/echo/infer", "", INFER_JSON);
    int half = raw.length() - INFER_JSON.length() / 2;
    http.send(raw.substring(0, half));
    assertThat(http.response()).as("answered after the last chunk").isNull();
    http.send(raw.substring(half));
    assertThat(http.response().status().code()).isEqualTo(503);

    api.admission = null;
    http.send(post("/v2/models/echo/infer", "", INFER_JSON));
    assertThat(http.response().status().code()).isEqualTo(200);
  }

  @Test
  void aRefusedGzipBodyIsNeverInflated() throws IOException {
    api.admission = Status.overloaded("overloaded: test", 1000);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(new byte[512 * 1024]);
    }
    byte[] body = gz.toByteArray();
    http.send(("POST /v2/models/echo/infer HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\n"
        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    http.send(body);
    // Inflated, this body is over the 1 KiB limit (413); refused first, it is a 503.
    assertThat(http.response().status().code()).isEqualTo(503);
  }

  @Test
  void everyRefusalGetsTheSameAnswerAndHasItsCostReported() {
    api.admission = Status.overloaded("overloaded: test", 1000);
    http.send(post("/v2/models/echo/infer", "", INFER_JSON)
        + post("/v2/models/echo/infer", "", INFER_JSON));

    for (int i = 0; i < 2; i++) {
      FullHttpResponse refused = http.response();
      assertThat(refused.status().code()).isEqualTo(503);
      assertThat(refused.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("1");
      assertThat(refused.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(28);
      assertThat(EmbeddedHttp.body(refused)).isEqualTo("{\"error\":\"overloaded: test\"}");
    }
    assertThat(api.refusalsAnswered).containsExactly("http", "http");
  }

  @Test
  void aDifferentRefusalIsAnsweredWithItsOwnText() {
    api.admission = Status.overloaded("overloaded: first", 1000);
    http.send(post("/v2/models/echo/infer", "", INFER_JSON));
    assertThat(EmbeddedHttp.body(http.response())).isEqualTo("{\"error\":\"overloaded: first\"}");

    api.admission = Status.overloaded("overloaded: second", 3000);
    http.send(post("/v2/models/echo/infer", "", INFER_JSON));
    FullHttpResponse second = http.response();
    assertThat(EmbeddedHttp.body(second)).isEqualTo("{\"error\":\"overloaded: second\"}");
    assertThat(second.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("3");
  }

  @Test
  void pipelinedPostsEachGetTheRouteTheirOwnHeadMatched() {
    CompletableFuture<V2InferResponse> pending = new CompletableFuture<>();
    answerInferenceWith(pending);
    http.send(post("/v2/models/echo/infer", "", INFER_JSON)
        + post("/v2/models/echo/versions/7/infer", "", INFER_JSON)
        + post("/v2/models/echo/ready", "", "")
        + get("/v2/health/live"));
    assertThat(http.response()).isNull();

    pending.complete(FakeServingApi.echo("echo", api.lastRequest));

    assertThat(http.response().status().code()).isEqualTo(200);
    FullHttpResponse unknownVersion = http.response();
    assertThat(unknownVersion.status().code()).isEqualTo(404);
    assertThat(EmbeddedHttp.body(unknownVersion)).contains("unknown version 7");
    FullHttpResponse wrongMethod = http.response();
    assertThat(wrongMethod.status().code()).isEqualTo(405);
    assertThat(wrongMethod.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET");
    assertThat(EmbeddedHttp.body(http.response())).isEqualTo("{\"live\":true}");
  }

  @Test
  void aRefusedRequestThatExpectsContinueIsAnsweredAtOnceAndCloses() {
    api.admission = Status.overloaded("overloaded: test", 1000);
    http.send("POST /v2/models/echo/infer HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
        + "Content-Length: " + INFER_JSON.length() + "\r\n\r\n");
    FullHttpResponse refused = http.response();
    assertThat(refused.status().code()).isEqualTo(503);
    assertThat(refused.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
    assertThat(http.server.isOpen()).isFalse();
  }
}
