package io.sluice.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading, checking and reloading the TLS and token files. */
class ServerSecurityTest {
  @TempDir Path dir;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private TestPki pki;
  private Path cert;
  private Path key;

  @BeforeEach
  void makeCertificates() throws Exception {
    pki = TestPki.create();
    cert = dir.resolve("server.crt");
    key = dir.resolve("server.key");
    pki.server("one", 1).write(cert, key);
  }

  @AfterEach
  void stopScheduler() {
    scheduler.shutdownNow();
  }

  private ServerSecurity.Builder tls() {
    return ServerSecurity.builder()
        .meterRegistry(meters)
        .tls(new TlsFiles(cert, key, Optional.empty()));
  }

  private double reloads(String credential, String result) {
    var c = meters.find(ServerSecurity.RELOADS_METRIC).tag("credential", credential)
        .tag("result", result).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void plainHasNoTlsAndGuardsTheControlPlaneByLoopback() {
    ServerSecurity s = ServerSecurity.plain();

    assertThat(s.httpSslContext()).isEmpty();
    assertThat(s.grpcSslContext()).isEmpty();
    assertThat(s.admin().requiresToken()).isFalse();
  }

  @Test
  void tlsFilesGiveBothServersAContext() {
    try (ServerSecurity s = tls().build()) {
      assertThat(s.httpSslContext()).isPresent();
      assertThat(s.grpcSslContext()).isPresent();
      assertThat(s.certificate().orElseThrow().getSerialNumber()).isEqualTo(BigInteger.ONE);
    }
  }

  @Test
  void aKeyThatIsNotTheCertificatesFailsTheStart() throws Exception {
    pki.server("other", 2).write(dir.resolve("other.crt"), key);

    assertThatThrownBy(() -> tls().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not the key of the certificate");
  }

  @Test
  void filesThatAreNotPemFailTheStartNamingTheFlag() throws Exception {
    Files.writeString(cert, "not a certificate");

    assertThatThrownBy(() -> tls().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--tls-cert-file");
  }

  @Test
  void anRsaKeyServesToo() throws Exception {
    TestPki.create("RSA").server("rsa", 9).write(cert, key);

    try (ServerSecurity s = tls().build()) {
      assertThat(s.certificate().orElseThrow().getSerialNumber()).isEqualTo(BigInteger.valueOf(9));
    }
  }

  @Test
  void aReloadPutsTheNewCertificateInForce() throws Exception {
    try (ServerSecurity s = tls().build()) {
      pki.server("two", 2).write(cert, key);

      assertThat(s.reload()).isTrue();
      assertThat(s.certificate().orElseThrow().getSerialNumber()).isEqualTo(BigInteger.TWO);
      assertThat(reloads("tls", "ok")).isEqualTo(1);
    }
  }

  @Test
  void aBadReloadKeepsTheOldCertificateAndIsCounted() throws Exception {
    try (ServerSecurity s = tls().build()) {
      // A new certificate with the old key: the pair does not match.
      pki.server("mismatch", 3).write(cert, dir.resolve("unused.key"));
      assertThat(s.reload()).isFalse();
      // An expired one.
      pki.expiredServer("expired", 4).write(cert, key);
      assertThat(s.reload()).isFalse();

      assertThat(s.certificate().orElseThrow().getSerialNumber()).isEqualTo(BigInteger.ONE);
      assertThat(reloads("tls", "failed")).isEqualTo(2);
    }
  }

  @Test
  void changedFilesArePickedUpByPolling() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "first");
    try (ServerSecurity s = tls().adminTokenFile(token)
        .reloadEvery(Duration.ofMillis(50), scheduler).build()) {
      pki.server("polled", 5).write(cert, key);
      Files.writeString(token, "second");

      Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(s.certificate().orElseThrow().getSerialNumber())
            .isEqualTo(BigInteger.valueOf(5));
        assertThat(s.admin().check("http", null, "Bearer second").allowed()).isTrue();
      });
      assertThat(reloads("admin_token", "ok")).isEqualTo(1);
    }
  }

  @Test
  void nothingIsPolledWhenNothingChanged() throws Exception {
    try (ServerSecurity s = tls().reloadEvery(Duration.ofMillis(20), scheduler).build()) {
      Thread.sleep(200);

      assertThat(reloads("tls", "ok")).isZero();
      assertThat(reloads("tls", "failed")).isZero();
    }
  }
}
