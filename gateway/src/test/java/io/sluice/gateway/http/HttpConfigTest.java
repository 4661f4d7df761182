package io.sluice.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HttpConfigTest {

  @Test
  void theDefaultsAreTritonsPortOnEveryInterfaceWith64MiBBodies() {
    HttpConfig c = HttpConfig.ofDefaults();
    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.port()).isEqualTo(8000);
    assertThat(c.maxBodyBytes()).isEqualTo(64 * 1024 * 1024);
  }

  @Test
  void portZeroIsAllowedForAnEphemeralPort() {
    assertThat(HttpConfig.ofDefaults().withPort(0).port()).isZero();
  }

  @Test
  void aPortOutsideTheRangeIsRefusedWithTheExpectedRange() {
    assertThatThrownBy(() -> HttpConfig.ofDefaults().withPort(70000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port: 70000 (expected: 0..65535)");
  }

  @Test
  void aNonPositiveBodyLimitIsRefused() {
    assertThatThrownBy(() -> HttpConfig.ofDefaults().withMaxBodyBytes(0))
        .hasMessage("maxBodyBytes: 0 (expected: > 0)");
  }

  @Test
  void aBlankHostIsRefused() {
    assertThatThrownBy(() -> HttpConfig.ofDefaults().withHost(" "))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
