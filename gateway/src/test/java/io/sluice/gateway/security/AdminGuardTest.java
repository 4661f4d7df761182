package io.sluice.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.gateway.security.AdminGuard.Verdict;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminGuardTest {
  private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 40000);
  private static final InetSocketAddress LOOPBACK_V6 = new InetSocketAddress("::1", 40000);
  private static final InetSocketAddress REMOTE = new InetSocketAddress("10.1.2.3", 40000);

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  @TempDir Path dir;

  private AdminGuard withToken(String fileContent) throws Exception {
    Path file = Files.writeString(dir.resolve("token"), fileContent);
    return AdminGuard.withToken(AdminToken.read(file), meters);
  }

  private double denied(String protocol, String reason) {
    var c = meters.find(AdminGuard.METRIC).tag("protocol", protocol).tag("reason", reason)
        .counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void withoutATokenLoopbackPeersAreAllowed() {
    AdminGuard guard = AdminGuard.loopbackOnly(meters);

    assertThat(guard.check("http", LOOPBACK, null)).isEqualTo(Verdict.ALLOWED);
    assertThat(guard.check("grpc", LOOPBACK_V6, null)).isEqualTo(Verdict.ALLOWED);
    assertThat(meters.find(AdminGuard.METRIC).counters()).isEmpty();
  }

  @Test
  void withoutATokenOtherPeersAreRefusedAndCounted() {
    AdminGuard guard = AdminGuard.loopbackOnly(meters);

    assertThat(guard.check("http", REMOTE, "Bearer anything")).isEqualTo(Verdict.NOT_LOOPBACK);
    assertThat(guard.check("grpc", new io.netty.channel.local.LocalAddress("x"), null))
        .isEqualTo(Verdict.NOT_LOOPBACK);
    assertThat(denied("http", "not_loopback")).isEqualTo(1);
    assertThat(denied("grpc", "not_loopback")).isEqualTo(1);
    assertThat(Verdict.NOT_LOOPBACK.wantsToken()).isFalse();
  }

  @Test
  void aConfiguredTokenIsRequiredFromLoopbackToo() throws Exception {
    AdminGuard guard = withToken("s3cret\n");

    assertThat(guard.check("http", LOOPBACK, null)).isEqualTo(Verdict.MISSING_TOKEN);
    assertThat(guard.check("http", LOOPBACK, "Basic czNjcmV0")).isEqualTo(Verdict.MISSING_TOKEN);
    assertThat(guard.check("http", LOOPBACK, "Bearer ")).isEqualTo(Verdict.MISSING_TOKEN);
    assertThat(denied("http", "missing_token")).isEqualTo(3);
  }

  @Test
  void theTrimmedFileContentIsTheTokenAndTheSchemeIgnoresCase() throws Exception {
    AdminGuard guard = withToken("  s3cret \n");

    assertThat(guard.check("http", REMOTE, "Bearer s3cret")).isEqualTo(Verdict.ALLOWED);
    assertThat(guard.check("grpc", REMOTE, "bearer s3cret")).isEqualTo(Verdict.ALLOWED);
    assertThat(guard.check("grpc", REMOTE, "BEARER  s3cret ")).isEqualTo(Verdict.ALLOWED);
  }

  @Test
  void aWrongTokenIsRefusedAsInvalidAndCounted() throws Exception {
    AdminGuard guard = withToken("s3cret");

    assertThat(guard.check("http", LOOPBACK, "Bearer s3cre")).isEqualTo(Verdict.INVALID_TOKEN);
    assertThat(guard.check("http", LOOPBACK, "Bearer s3crett")).isEqualTo(Verdict.INVALID_TOKEN);
    assertThat(denied("http", "invalid_token")).isEqualTo(2);
    assertThat(Verdict.INVALID_TOKEN.wantsToken()).isTrue();
  }

  @Test
  void aReloadedTokenReplacesTheOldOne() throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "first");
    AdminToken token = AdminToken.read(file);
    AdminGuard guard = AdminGuard.withToken(token, meters);

    Files.writeString(file, "second");
    token.reload();

    assertThat(guard.check("http", LOOPBACK, "Bearer second")).isEqualTo(Verdict.ALLOWED);
    assertThat(guard.check("http", LOOPBACK, "Bearer first")).isEqualTo(Verdict.INVALID_TOKEN);
  }

  @Test
  void anEmptiedTokenFileKeepsTheTokenInForce() throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "first");
    AdminToken token = AdminToken.read(file);
    Files.writeString(file, "  \n");

    assertThatThrownBy(token::reload).hasMessageContaining("empty");
    assertThat(token.matches("first")).isTrue();
  }

  @Test
  void aTokenFileThatCannotServeFailsTheStartWithoutShowingItsContent() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    Path spaced = Files.writeString(dir.resolve("spaced"), "two words");

    assertThatThrownBy(() -> AdminToken.read(empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--admin-token-file")
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> AdminToken.read(spaced))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("offset 3")
        .hasMessageNotContaining("two words");
    assertThatThrownBy(() -> AdminToken.read(dir.resolve("missing")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing");
  }

  @Test
  void onlyTheBearerSchemeCarriesAToken() {
    assertThat(AdminGuard.bearerToken("Bearer abc")).isEqualTo("abc");
    assertThat(AdminGuard.bearerToken("Bearerabc")).isNull();
    assertThat(AdminGuard.bearerToken("Token abc")).isNull();
    assertThat(AdminGuard.bearerToken(null)).isNull();
  }
}
