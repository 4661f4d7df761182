package io.sluice.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.sluice.gateway.core.V2InferResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The idle, header and body timeouts on the whole pipeline in an EmbeddedChannel whose event loop
 * runs on a mock ticker: time moves only when a test moves it.
 */
class RequestTimeoutsTest {
  private static final String INFER_JSON =
      "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2],\"data\":[1,2]}]}";
  private static final String INFER_HEAD = "POST /v2/models/echo/infer HTTP/1.1\r\nHost: x\r\n"
      + "Content-Length: " + INFER_JSON.length() + "\r\n\r\n";

  private final FakeServingApi api = new FakeServingApi();
  private final MockTicker ticker = Ticker.newMockTicker();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final EmbeddedHttp http = new EmbeddedHttp(
      HttpConfig.ofDefaults().withTimeouts(
          Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(20)),
      api, ticker, registry);

  RequestTimeoutsTest() {
    // An EmbeddedChannel has no event loop thread to hop to: answer on the caller's thread.
    api.inferOverride =
        request -> CompletableFuture.completedFuture(FakeServingApi.echo("echo", request));
  }

  @AfterEach
  void nothingIsLeftOverAndEveryBufferIsReleased() {
    http.assertClean();
    api.close();
  }

  private void advanceSeconds(long seconds) {
    ticker.advance(seconds, TimeUnit.SECONDS);
    http.server.runScheduledPendingTasks();
    http.server.runPendingTasks();
  }

  private double timeouts(String kind) {
    return registry.get("sluice_connection_timeouts").tag("kind", kind).counter().count();
  }

  @Test
  void headersStillIncompleteAfterTheHeaderTimeoutGet408AndTheConnectionCloses() {
    http.send("POST /v2/models/echo/infer HTTP/1.1\r\nHo");
    advanceSeconds(5);
    http.send("st: x\r\n");
    advanceSeconds(6);
    FullHttpResponse r = http.response();
    assertThat(r.status().code()).isEqualTo(408);
    assertThat(EmbeddedHttp.body(r)).startsWith("{\"error\":\"the request headers did not arrive");
    assertThat(r.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
    assertThat(http.server.isOpen()).isFalse();
    assertThat(timeouts("header")).isEqualTo(1);
  }

  @Test
  void headersThatArriveWithinTheTimeoutAreServed() {
    http.send("POST /v2/models/echo/infer HTTP/1.1\r\nHo");
    advanceSeconds(9);
    http.send(INFER_HEAD.substring(INFER_HEAD.indexOf("Ho") + 2) + INFER_JSON);
    assertThat(http.response().status().code()).isEqualTo(200);
    assertThat(timeouts("header")).isZero();
  }

  @Test
  void aBodyStillIncompleteAfterTheBodyTimeoutGets408AndTheConnectionCloses() {
    http.send(INFER_HEAD + INFER_JSON.substring(0, 10));
    advanceSeconds(15);
    http.send(INFER_JSON.substring(10, 20));
    advanceSeconds(6);
    FullHttpResponse r = http.response();
    assertThat(r.status().code()).isEqualTo(408);
    assertThat(EmbeddedHttp.body(r)).contains("the request body did not arrive within 20000 ms");
    assertThat(http.server.isOpen()).isFalse();
    assertThat(timeouts("body")).isEqualTo(1);
  }

  @Test
  void theBodyClockStartsWhenTheHeadersAreComplete() {
    http.send("POST /v2/models/echo/infer HTTP/1.1\r\n");
    advanceSeconds(9);
    http.send(INFER_HEAD.substring(INFER_HEAD.indexOf("Host")) + INFER_JSON.substring(0, 10));
    advanceSeconds(19);
    http.send(INFER_JSON.substring(10));
    assertThat(http.response().status().code()).isEqualTo(200);
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedWithoutAnAnswer() {
    http.send("GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(http.response().status().code()).isEqualTo(200);
    advanceSeconds(59);
    assertThat(http.server.isOpen()).isTrue();
    advanceSeconds(2);
    assertThat(http.response()).isNull();
    assertThat(http.server.isOpen()).isFalse();
    assertThat(timeouts("idle")).isEqualTo(1);
  }

  @Test
  void aConnectionThatSendsNothingIsIdle() {
    advanceSeconds(61);
    assertThat(http.server.isOpen()).isFalse();
    assertThat(timeouts("idle")).isEqualTo(1);
  }

  @Test
  void aRequestWaitingOnTheModelIsNotCutAndIdlenessCountsFromItsAnswer() {
    CompletableFuture<V2InferResponse> pending = new CompletableFuture<>();
    api.inferOverride = request -> pending;
    http.send(INFER_HEAD + INFER_JSON);
    advanceSeconds(120);
    assertThat(http.server.isOpen()).isTrue();
    pending.complete(FakeServingApi.echo("echo", api.lastRequest));
    assertThat(http.response().status().code()).isEqualTo(200);
    advanceSeconds(59);
    assertThat(http.server.isOpen()).isTrue();
    advanceSeconds(2);
    assertThat(http.server.isOpen()).isFalse();
  }

  @Test
  void a408ForAPipelinedRequestFollowsTheAnswerBeforeIt() {
    CompletableFuture<V2InferResponse> pending = new CompletableFuture<>();
    api.inferOverride = request -> pending;
    http.send(INFER_HEAD + INFER_JSON);
    http.send("GET /v2/health/live HTTP/1.1\r\n");
    advanceSeconds(11);
    assertThat(http.response()).isNull();
    pending.complete(FakeServingApi.echo("echo", api.lastRequest));
    assertThat(http.response().status().code()).isEqualTo(200);
    assertThat(http.response().status().code()).isEqualTo(408);
    assertThat(http.server.isOpen()).isFalse();
  }
}
