package io.sluice.gateway.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RequestIdsTest {

  @Test
  void idsArePrefixDashCounterFromOne() {
    RequestIds ids = new RequestIds("p");

    assertThat(ids.next()).isEqualTo("p-1");
    assertThat(ids.next()).isEqualTo("p-2");
  }

  @Test
  void theRandomPrefixIs48BitsInTwelveHexDigitsFromTheRandomnessGiven() {
    long bits = new Random(7).nextLong() & 0xFFFF_FFFF_FFFFL;

    assertThat(RequestIds.random(new Random(7)).next())
        .isEqualTo(String.format("%012x-1", bits));
  }

  @Test
  void anEmptyPrefixIsRefused() {
    assertThatThrownBy(() -> new RequestIds("")).hasMessageContaining("expected: non-empty");
  }
}
