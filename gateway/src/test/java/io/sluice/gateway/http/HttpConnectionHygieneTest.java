package io.sluice.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.sluice.gateway.core.V2InferResponse;
import io.sluice.gateway.request.ContextHeaders;
import io.sluice.gateway.security.ServerSecurity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Slow and hostile clients against the real server on an ephemeral port, over raw sockets: 1 s
 * timeouts, a cap of four connections and a 256 KiB decompressed-size limit. Timings are only
 * bounded from above ("answered before the socket's 10 s read timeout").
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpConnectionHygieneTest {
  private static final int MAX_CONNECTIONS = 4;
  private static final int INFLATE_LIMIT = 256 * 1024;
  private static final Duration TIMEOUT = Duration.ofSeconds(1);
  private static final String INFER_JSON =
      "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"INT32\",\"shape\":[1],\"data\":[7]}]}";

  private final FakeServingApi api = new FakeServingApi();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoopGroup workers =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private HttpFrontEnd server;

  @BeforeAll
  void startServer() {
    HttpConfig config = new HttpConfig("127.0.0.1", 0, 1 << 20)
        .withMaxDecompressedBytes(INFLATE_LIMIT)
        .withMaxConnections(MAX_CONNECTIONS)
        .withTimeouts(TIMEOUT, TIMEOUT, TIMEOUT);
    server = HttpFrontEnd.start(
        config, api, boss, workers, ContextHeaders.defaults(), ServerSecurity.plain(), registry);
  }

  @AfterEach
  void everyConnectionIsGoneBeforeTheNext() {
    api.inferOverride = null;
    await().atMost(Duration.ofSeconds(10)).until(() -> gauge("sluice_connections_open") == 0);
  }

  @AfterAll
  void stopServer() {
    server.close();
    boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    api.close();
  }

  private double counter(String name, String tag, String value) {
    return registry.get(name).tag(tag, value).counter().count();
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Writes {@code bytes} one at a time, 200 ms apart, until done or the server closes. */
  private static Thread trickle(RawHttpConnection c, byte[] bytes) {
    Thread t = new Thread(() -> {
      try {
        for (byte b : bytes) {
          c.write(new byte[] {b});
          Thread.sleep(200);
        }
      } catch (IOException | InterruptedException e) {
        // The server closed the connection: the trickle is over.
      }
    }, "trickle");
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  void aClientTricklingItsHeadersGets408AndTheConnectionCloses() throws Exception {
    double before = counter("sluice_connection_timeouts", "kind", "header");
    try (RawHttpConnection c = new RawHttpConnection(server.port())) {
      trickle(c, ascii("POST /v2/models/echo/infer HTTP/1.1\r\nHost: localhost\r\n"));
      RawHttpConnection.Response r = c.read();
      assertThat(r.status()).isEqualTo(408);
      assertThat(r.text()).startsWith("{\"error\":\"the request headers did not arrive within");
      assertThat(r.headers()).containsEntry("connection", "close");
      assertThat(c.isClosedByServer()).isTrue();
    }
    assertThat(counter("sluice_connection_timeouts", "kind", "header")).isEqualTo(before + 1);
  }

  @Test
  void aClientTricklingItsBodyGets408AndTheConnectionCloses() throws Exception {
    double before = counter("sluice_connection_timeouts", "kind", "body");
    try (RawHttpConnection c = new RawHttpConnection(server.port())) {
      c.write(ascii("POST /v2/models/echo/infer HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
          + INFER_JSON.length() + "\r\n\r\n"));
      trickle(c, ascii(INFER_JSON));
      RawHttpConnection.Response r = c.read();
      assertThat(r.status()).isEqualTo(408);
      assertThat(r.text()).contains("the request body did not arrive within 1000 ms");
      assertThat(c.isClosedByServer()).isTrue();
    }
    assertThat(counter("sluice_connection_timeouts", "kind", "body")).isEqualTo(before + 1);
  }

  @Test
  void aClientStillSendingItsBodyAfterA413ReadsTheWholeAnswerAndAnOrderlyClose()
      throws Exception {
    int declared = 8 << 20; // eight times the 1 MiB limit
    try (RawHttpConnection c = new RawHttpConnection(server.port())) {
      c.write(ascii("POST /v2/models/echo/infer HTTP/1.1\r\nHost: localhost\r\n"
          + "Content-Length: " + declared + "\r\nConnection: close\r\n\r\n"));
      // (A keep-alive client's oversized body is skipped and the connection kept.) The whole body, whatever the server answers meanwhile, as a client that does not read
      // until it has sent would.
      CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
        byte[] chunk = new byte[64 * 1024];
        try {
          for (int sent = 0; sent < declared; sent += chunk.length) {
            c.write(chunk);
          }
        } catch (IOException e) {
          throw new AssertionError("the upload was cut: " + e, e);
        }
      });
      RawHttpConnection.Response r = c.read();
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.text()).contains("over the limit");
      assertThat(r.headers()).containsEntry("connection", "close");
      // The server read and dropped the rest (no reset under the upload), then closed its side
      // with a FIN: a reset here would have discarded the answer on a slower client.
      upload.get(10, TimeUnit.SECONDS);
      assertThat(c.isClosedByServer()).isTrue();
    }
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAfterItsLastAnswer() throws Exception {
    double before = counter("sluice_connection_timeouts", "kind", "idle");
    try (RawHttpConnection c = new RawHttpConnection(server.port())) {
      assertThat(c.get("/v2/health/live").status()).isEqualTo(200);
      assertThat(c.isClosedByServer()).isTrue();
    }
    assertThat(counter("sluice_connection_timeouts", "kind", "idle")).isEqualTo(before + 1);
  }

  @Test
  void aRequestWaitingOnASlowModelIsNotCutByTheIdleTimeout() throws Exception {
    api.inferOverride = request -> CompletableFuture.supplyAsync(
        () -> FakeServingApi.echo("echo", request),
        CompletableFuture.delayedExecutor(3 * TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    try (RawHttpConnection c = new RawHttpConnection(server.port())) {
      RawHttpConnection.Response r =
          c.post("/v2/models/echo/infer", "", INFER_JSON.getBytes(StandardCharsets.UTF_8));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.text()).contains("\"data\":[7]");
    }
  }

  @Test
  void aConnectionOverTheCapIsRefusedAndCountedAndTheNextOneAfterACloseIsServed()
      throws Exception {
    double before = registry.get("sluice_connections_rejected").counter().count();
    List<RawHttpConnection> open = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_CONNECTIONS; i++) {
        RawHttpConnection c = new RawHttpConnection(server.port());
        open.add(c);
        assertThat(c.get("/v2/health/live").status()).isEqualTo(200);
      }
      assertThat(gauge("sluice_connections_open")).isEqualTo(MAX_CONNECTIONS);
      try (Socket over = new Socket("127.0.0.1", server.port())) {
        over.setSoTimeout(10_000);
        assertThat(readsEndOfStreamOrReset(over.getInputStream())).isTrue();
      }
      assertThat(registry.get("sluice_connections_rejected").counter().count())
          .isEqualTo(before + 1);
      open.remove(0).close();
      await().atMost(Duration.ofSeconds(10))
          .until(() -> gauge("sluice_connections_open") == MAX_CONNECTIONS - 1);
      try (RawHttpConnection again = new RawHttpConnection(server.port())) {
        assertThat(again.get("/v2/health/live").status()).isEqualTo(200);
      }
    } finally {
      for (RawHttpConnection c : open) {
        c.close();
      }
    }
  }

  private static boolean readsEndOfStreamOrReset(InputStream in) {
    try {
      return in.read() == -1;
    } catch (IOException e) {
      return e.getMessage() != null && e.getMessage().contains("reset");
    }
  }

  @Test
  void aGzipBombGets413AfterInflatingAtMostTheLimitAndOneStep() throws Exception {
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 200; i++) {
        gz.write(zeros);
      }
    }
    double inflatedBefore = registry.get("sluice_request_inflated_bytes").counter().count();
    double exceededBefore =
        counter("sluice_request_limit_exceeded", "limit", "decompressed_bytes");
    try (RawHttpConnection c = new RawHttpConnection(server.port())) {
      RawHttpConnection.Response r = c.post(
          "/v2/models/echo/infer", "Content-Encoding: gzip\r\n", zipped.toByteArray());
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.text()).contains("at most " + INFLATE_LIMIT + " bytes once decompressed");
      assertThat(r.headers()).containsEntry("connection", "close");
    }
    double inflated =
        registry.get("sluice_request_inflated_bytes").counter().count() - inflatedBefore;
    assertThat(inflated).isGreaterThan(INFLATE_LIMIT)
        .isLessThanOrEqualTo(INFLATE_LIMIT + BodyInflater.STEP_BYTES);
    assertThat(counter("sluice_request_limit_exceeded", "limit", "decompressed_bytes"))
        .isEqualTo(exceededBefore + 1);
  }

  @Test
  void aGzipBodyWithinTheLimitIsServed() throws Exception {
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
      gz.write(INFER_JSON.getBytes(StandardCharsets.UTF_8));
    }
    try (RawHttpConnection c = new RawHttpConnection(server.port())) {
      RawHttpConnection.Response r = c.post(
          "/v2/models/echo/infer", "Content-Encoding: gzip\r\n", zipped.toByteArray());
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.text()).contains("\"data\":[7]");
    }
  }

  @Test
  void anUnknownContentEncodingGets415NamingTheOnesSupported() throws Exception {
    try (RawHttpConnection c = new RawHttpConnection(server.port())) {
      RawHttpConnection.Response r = c.post("/v2/models/echo/infer", "Content-Encoding: br\r\n",
          INFER_JSON.getBytes(StandardCharsets.UTF_8));
      assertThat(r.status()).isEqualTo(415);
      assertThat(r.text()).isEqualTo("{\"error\":\"Content-Encoding 'br' is not supported"
          + " (expected: gzip, deflate or identity)\"}");
      assertThat(r.headers()).containsEntry("accept-encoding", "gzip, deflate");
    }
  }
}
