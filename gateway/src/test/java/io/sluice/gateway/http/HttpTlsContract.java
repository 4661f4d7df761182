package io.sluice.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslProvider;
import io.sluice.gateway.request.ContextHeaders;
import io.sluice.gateway.security.ServerSecurity;
import io.sluice.gateway.security.TestPki;
import io.sluice.gateway.security.TlsFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP over TLS and mutual TLS, with certificates the test makes; run once per TLS provider
 * ({@link HttpTlsJdkTest}, {@link HttpTlsOpenSslTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HttpTlsContract {
  private static final String TOKEN = "tls-t0ken";

  private final FakeServingApi api = new FakeServingApi();
  private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoopGroup workers =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private TestPki pki;
  private TestPki.Issued client;
  private Path dir;
  private ServerSecurity tlsSecurity;
  private ServerSecurity mtlsSecurity;
  private HttpFrontEnd tls;
  private HttpFrontEnd mtls;

  abstract SslProvider provider();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    this.dir = dir;
    pki = TestPki.create();
    pki.server("sluice-1", 1).write(dir.resolve("server.crt"), dir.resolve("server.key"));
    pki.writeCa(dir.resolve("ca.crt"));
    client = pki.client("client", 100);
    Path token = Files.writeString(dir.resolve("token"), TOKEN);
    tlsSecurity = ServerSecurity.builder()
        .tls(new TlsFiles(dir.resolve("server.crt"), dir.resolve("server.key"), Optional.empty()))
        .adminTokenFile(token)
        .sslProvider(provider())
        .build();
    mtlsSecurity = ServerSecurity.builder()
        .tls(new TlsFiles(dir.resolve("server.crt"), dir.resolve("server.key"),
            Optional.of(dir.resolve("ca.crt"))))
        .sslProvider(provider())
        .build();
    tls = start(tlsSecurity);
    mtls = start(mtlsSecurity);
  }

  private HttpFrontEnd start(ServerSecurity security) {
    return HttpFrontEnd.start(new HttpConfig("127.0.0.1", 0, 1 << 20), api, boss, workers,
        ContextHeaders.defaults(), security);
  }

  @AfterAll
  void stop() {
    tls.close();
    mtls.close();
    tlsSecurity.close();
    mtlsSecurity.close();
    boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    api.close();
  }

  private HttpResponse<String> send(HttpFrontEnd server, Optional<TestPki.Issued> identity,
      HttpRequest.Builder request) throws Exception {
    HttpClient c = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .sslContext(pki.clientContext(identity, null))
        .build();
    return c.send(request.build(), BodyHandlers.ofString());
  }

  private static HttpRequest.Builder get(HttpFrontEnd server, String path) {
    return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + path));
  }

  /** A TLS connection of its own; the server's certificate is the session's first peer one. */
  private SSLSocket connect(HttpFrontEnd server) throws Exception {
    SSLContext context = pki.clientContext(Optional.empty(), null);
    SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.port());
    s.setSoTimeout(10_000);
    s.startHandshake();
    return s;
  }

  private static BigInteger serialOf(SSLSocket s) throws Exception {
    return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
  }

  /** One keep-alive GET on {@code s}; returns the status line. */
  private static String getOn(Socket s, String path) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    BufferedReader in = new BufferedReader(
        new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
    String status = in.readLine();
    int length = 0;
    for (String h; (h = in.readLine()) != null && !h.isEmpty(); ) {
      if (h.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(h.substring(15).strip());
      }
    }
    for (int i = 0; i < length; i++) {
      in.read();
    }
    return status;
  }

  @Test
  void aClientTrustingTheCaIsServedOverTls() throws Exception {
    HttpResponse<String> r = send(tls, Optional.empty(), get(tls, "/v2/health/ready"));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"ready\":true}");
  }

  @Test
  void aPlainTextClientOnTheTlsPortGetsTheConnectionClosed() throws Exception {
    try (Socket s = new Socket("127.0.0.1", tls.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      // No HTTP answer: whatever comes back is not a status line, and the server closes.
      byte[] buf = new byte[4096];
      int total = 0;
      for (int n; (n = s.getInputStream().read(buf)) > 0; ) {
        assertThat(new String(buf, 0, n, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/1.1");
        total += n;
      }
      assertThat(total).isLessThan(4096);
    }
  }

  @Test
  void mutualTlsServesAClientWithACertificateFromTheCa() throws Exception {
    HttpResponse<String> r = send(mtls, Optional.of(client), get(mtls, "/v2/health/live"));

    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void mutualTlsRefusesAClientWithoutACertificate() {
    assertThatThrownBy(() -> send(mtls, Optional.empty(), get(mtls, "/v2/health/live")))
        .isInstanceOf(IOException.class);
  }

  @Test
  void mutualTlsRefusesACertificateFromAnotherCa() throws Exception {
    TestPki.Issued stranger = TestPki.create().client("stranger", 7);
    // The stranger trusts our CA (so the server is accepted) but shows a certificate ours never
    // issued.
    HttpClient c = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .sslContext(strangerContext(stranger))
        .build();

    assertThatThrownBy(() -> c.send(get(mtls, "/v2/health/live").build(),
        BodyHandlers.ofString())).isInstanceOf(IOException.class);
  }

  private SSLContext strangerContext(TestPki.Issued stranger) throws Exception {
    java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("c", stranger.key(), new char[0],
        new X509Certificate[] {stranger.certificate()});
    javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
        javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(),
        new javax.net.ssl.TrustManager[] {pki.recordingTrustManager(null)}, null);
    return context;
  }

  @Test
  void theRepositoryApiOverTlsNeedsTheToken() throws Exception {
    api.lastUnloaded = null;
    HttpRequest.Builder unload = get(tls, "/v2/repository/models/m/unload")
        .POST(HttpRequest.BodyPublishers.noBody());

    assertThat(send(tls, Optional.empty(), unload).statusCode()).isEqualTo(401);
    assertThat(api.lastUnloaded).isNull();
    assertThat(send(tls, Optional.empty(), unload.header("Authorization", "Bearer " + TOKEN))
        .statusCode()).isEqualTo(200);
    assertThat(api.lastUnloaded).isEqualTo("m");
  }

  @Test
  void aReloadedCertificateReachesNewConnectionsWhileOldOnesKeepServing() throws Exception {
    try (SSLSocket before = connect(tls)) {
      assertThat(serialOf(before)).isEqualTo(BigInteger.ONE);

      Path cert = dir.resolve("next.crt");
      Path key = dir.resolve("next.key");
      pki.server("sluice-2", 2).write(cert, key);
      Files.move(cert, dir.resolve("server.crt"), StandardCopyOption.REPLACE_EXISTING);
      Files.move(key, dir.resolve("server.key"), StandardCopyOption.REPLACE_EXISTING);
      assertThat(tlsSecurity.reload()).isTrue();

      try (SSLSocket after = connect(tls)) {
        assertThat(serialOf(after)).isEqualTo(BigInteger.TWO);
        assertThat(getOn(after, "/v2/health/live")).isEqualTo("HTTP/1.1 200 OK");
      }
      assertThat(getOn(before, "/v2/health/live")).isEqualTo("HTTP/1.1 200 OK");
      assertThat(serialOf(before)).isEqualTo(BigInteger.ONE);
    }
  }
}
