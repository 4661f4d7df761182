package io.sluice.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.sluice.gateway.request.ContextHeaders;
import io.sluice.gateway.security.ServerSecurity;
import io.sluice.gateway.security.TestPki;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The repository routes behind the admin guard, on a real server, with and without a token. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpAdminGuardTest {
  private static final String TOKEN = "t0ken-for-tests";

  private final FakeServingApi api = new FakeServingApi();
  private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoopGroup workers =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private HttpFrontEnd withToken;
  private HttpFrontEnd loopbackOnly;
  private ServerSecurity security;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    Path token = Files.writeString(dir.resolve("token"), TOKEN + "\n");
    security = ServerSecurity.builder().adminTokenFile(token).meterRegistry(meters).build();
    withToken = HttpFrontEnd.start(new HttpConfig("127.0.0.1", 0, 1 << 20), api, boss, workers,
        ContextHeaders.defaults(), security);
    // Every interface, so that a peer off loopback can reach it.
    loopbackOnly = HttpFrontEnd.start(new HttpConfig("0.0.0.0", 0, 1 << 20), api, boss, workers);
  }

  @AfterAll
  void stop() {
    withToken.close();
    loopbackOnly.close();
    security.close();
    boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    api.close();
  }

  @BeforeEach
  void forget() {
    api.lastLoadParameters = null;
    api.lastUnloaded = null;
    api.lastReadyOnly = null;
  }

  private HttpResponse<String> post(String host, int port, String path, String authorization)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
        .POST(BodyPublishers.ofString("{}"));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return client.send(b.build(), BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String authorization) throws Exception {
    return post("127.0.0.1", withToken.port(), path, authorization);
  }

  @Test
  void repositoryCallsWithoutTheTokenAre401AndChangeNothing() throws Exception {
    for (String path : new String[] {"/v2/repository/index",
        "/v2/repository/models/m/load", "/v2/repository/models/m/unload"}) {
      HttpResponse<String> r = post(path, null);

      assertThat(r.statusCode()).as(path).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"sluice\"");
      assertThat(r.body()).startsWith("{\"error\":\"").contains("Authorization: Bearer");
    }
    assertThat(api.lastReadyOnly).isNull();
    assertThat(api.lastLoadParameters).isNull();
    assertThat(api.lastUnloaded).isNull();
    assertThat(meters.get("sluice_admin_denied").tag("protocol", "http")
        .tag("reason", "missing_token").counter().count()).isEqualTo(3);
  }

  @Test
  void aWrongTokenIs401WithInvalidToken() throws Exception {
    HttpResponse<String> r = post("/v2/repository/models/m/load", "Bearer wrong");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer realm=\"sluice\", error=\"invalid_token\"");
    assertThat(api.lastLoadParameters).isNull();
  }

  @Test
  void theTokenLetsTheCallThrough() throws Exception {
    HttpResponse<String> r = post("/v2/repository/models/m/load", "Bearer " + TOKEN);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(api.lastLoadParameters).isEmpty();
    assertThat(post("/v2/repository/index", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
  }

  @Test
  void theDataPlaneNeedsNoToken() throws Exception {
    for (String path : new String[] {"/v2/health/ready", "/v2", "/v2/models/m",
        "/v2/models/m/config", "/v2/models/m/stats"}) {
      HttpResponse<String> r = client.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + withToken.port() + path))
              .build(), BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path).isNotIn(401, 403);
    }
  }

  @Test
  void withoutATokenLoopbackMayCall() throws Exception {
    assertThat(post("127.0.0.1", loopbackOnly.port(), "/v2/repository/models/m/unload", null)
        .statusCode()).isEqualTo(200);
    assertThat(api.lastUnloaded).isEqualTo("m");
  }

  @Test
  void withoutATokenAPeerOffLoopbackIs403() throws Exception {
    InetAddress self = TestPki.nonLoopbackAddress().orElse(null);
    assumeThat(self).as("a non-loopback address on this machine").isNotNull();

    HttpResponse<String> r =
        post(self.getHostAddress(), loopbackOnly.port(), "/v2/repository/models/m/unload", null);

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("only answered on loopback");
    assertThat(api.lastUnloaded).isNull();
  }
}
