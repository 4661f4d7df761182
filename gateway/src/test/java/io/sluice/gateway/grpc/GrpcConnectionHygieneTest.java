package io.sluice.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.sluice.gateway.request.ContextHeaders;
import io.sluice.gateway.security.ServerSecurity;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import io.sluice.proto.inference.GrpcService.ServerLiveRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The gRPC server's connection cap, idle GOAWAY and handshake timeout against a real server on an
 * ephemeral port: two connections at most, 1 s timeouts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcConnectionHygieneTest {
  private static final int MAX_CONNECTIONS = 2;
  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  private final FakeServingApi api = new FakeServingApi();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoopGroup workers =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final List<ManagedChannel> channels = new ArrayList<>();
  private GrpcFrontEnd server;

  @BeforeAll
  void startServer() {
    GrpcConfig config = new GrpcConfig("127.0.0.1", 0, 1 << 20)
        .withMaxConnections(MAX_CONNECTIONS)
        .withTimeouts(TIMEOUT, TIMEOUT);
    server = GrpcFrontEnd.start(
        config, api, boss, workers, ContextHeaders.defaults(), ServerSecurity.plain(), registry);
  }

  @AfterEach
  void closeChannels() throws InterruptedException {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    channels.clear();
    await().atMost(Duration.ofSeconds(10)).until(() -> open() == 0);
  }

  @AfterAll
  void stopServer() {
    server.close();
    boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private double open() {
    return registry.get("sluice_connections_open").tag("protocol", "grpc").gauge().value();
  }

  private ManagedChannel channel() {
    ManagedChannel c =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    channels.add(c);
    return c;
  }

  private static boolean live(ManagedChannel c) {
    return GRPCInferenceServiceGrpc.newBlockingStub(c)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .serverLive(ServerLiveRequest.getDefaultInstance())
        .getLive();
  }

  private static boolean closedByServer(Socket s) throws IOException {
    s.setSoTimeout(10_000);
    InputStream in = s.getInputStream();
    try {
      // Whatever the server sent before closing (its own HTTP/2 settings), then the end.
      while (in.read() != -1) {
        // keep reading
      }
      return true;
    } catch (IOException e) {
      return e.getMessage() != null && e.getMessage().contains("reset");
    }
  }

  @Test
  void aConnectionOverTheCapIsRefusedAndCounted() {
    assertThat(live(channel())).isTrue();
    assertThat(live(channel())).isTrue();
    assertThat(open()).isEqualTo(MAX_CONNECTIONS);
    double before = registry.get("sluice_connections_rejected").tag("protocol", "grpc")
        .counter().count();
    assertThatThrownBy(() -> live(channel()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Code.UNAVAILABLE));
    assertThat(registry.get("sluice_connections_rejected").tag("protocol", "grpc")
        .counter().count()).isGreaterThan(before);
  }

  @Test
  void aConnectionWithNoCallForTheIdleTimeoutIsSentAway() {
    ManagedChannel c = channel();
    assertThat(live(c)).isTrue();
    assertThat(c.getState(false)).isEqualTo(ConnectivityState.READY);
    // GOAWAY from the server makes the client's channel drop its transport and go idle.
    await().atMost(Duration.ofSeconds(10))
        .until(() -> c.getState(false) == ConnectivityState.IDLE);
    assertThat(live(c)).isTrue();
  }

  @Test
  void aCallWhoseMessageTricklesInIsNotCutByTheIdleTimeoutAndStarvesNoOne() throws Exception {
    ManagedChannel other = channel();
    try (RawHttp2Connection raw = new RawHttp2Connection(server.port())) {
      raw.handshake();
      raw.headers(1, new DefaultHttp2Headers()
          .method("POST").scheme("http").authority("localhost")
          .path("/inference.GRPCInferenceService/ServerLive")
          .set("content-type", "application/grpc").set("te", "trailers"));
      // An empty ServerLiveRequest is five bytes of gRPC framing; one DATA frame each, slowly,
      // for three idle timeouts in all.
      for (int i = 0; i < 5; i++) {
        raw.data(1, new byte[] {0}, i == 4);
        // Meanwhile another client is served.
        assertThat(live(other)).isTrue();
        Thread.sleep(3 * TIMEOUT.toMillis() / 5);
      }
      Http2Headers answer = raw.readResponseHeaders(1);
      assertThat(answer.status().toString()).isEqualTo("200");
      assertThat(raw.framesSeen()).doesNotContain(RawHttp2Connection.GOAWAY);
    }
  }

  @Test
  void aConnectionThatNeverSendsItsPrefaceIsClosedAfterTheHandshakeTimeout() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      assertThat(closedByServer(s)).isTrue();
    }
  }

  @Test
  void aConnectionTricklingItsPrefaceIsClosedAfterTheHandshakeTimeout() throws Exception {
    byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      Thread trickle = new Thread(() -> {
        try {
          for (byte b : preface) {
            s.getOutputStream().write(b);
            Thread.sleep(200);
          }
        } catch (IOException | InterruptedException e) {
          // closed by the server
        }
      });
      trickle.setDaemon(true);
      trickle.start();
      assertThat(closedByServer(s)).isTrue();
    }
  }
}
