package io.sluice.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GrpcConfigTest {

  @Test
  void defaultsListenOnEveryInterfaceOnTritonsPortWith256MebibyteMessages() {
    GrpcConfig config = GrpcConfig.ofDefaults();

    assertThat(config.host()).isEqualTo("0.0.0.0");
    assertThat(config.port()).isEqualTo(8001);
    assertThat(config.maxMessageBytes()).isEqualTo(256 * 1024 * 1024);
  }

  @Test
  void portZeroIsAllowedForAnEphemeralPort() {
    assertThat(GrpcConfig.ofDefaults().withPort(0).port()).isZero();
  }

  @Test
  void aPortOutOfRangeIsRejectedWithTheExpectedRange() {
    assertThatThrownBy(() -> GrpcConfig.ofDefaults().withPort(65_536))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port: 65536 (expected: 0..65535)");
  }

  @Test
  void aNonPositiveMessageLimitIsRejected() {
    assertThatThrownBy(() -> GrpcConfig.ofDefaults().withMaxMessageBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxMessageBytes: 0 (expected: > 0)");
  }

  @Test
  void aBlankHostIsRejected() {
    assertThatThrownBy(() -> new GrpcConfig(" ", 8001, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("host");
  }
}
