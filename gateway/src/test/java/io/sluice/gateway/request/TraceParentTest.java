package io.sluice.gateway.request;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class TraceParentTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";

  @Test
  void theSpecsExampleParses() {
    TraceParent tp = TraceParent.parse("00-" + TRACE + "-" + SPAN + "-01");

    assertThat(tp).isEqualTo(new TraceParent(TRACE, SPAN, 1));
    assertThat(tp.sampled()).isTrue();
  }

  @Test
  void unsampledFlagsAreKept() {
    TraceParent tp = TraceParent.parse("00-" + TRACE + "-" + SPAN + "-00");

    assertThat(tp.flags()).isZero();
    assertThat(tp.sampled()).isFalse();
  }

  @Test
  void aLaterVersionMayCarryMoreFieldsAfterTheFlags() {
    assertThat(TraceParent.parse("01-" + TRACE + "-" + SPAN + "-01-cafe"))
        .isEqualTo(new TraceParent(TRACE, SPAN, 1));
  }

  @Test
  void surroundingWhitespaceIsAllowed() {
    assertThat(TraceParent.parse("  00-" + TRACE + "-" + SPAN + "-01\t")).isNotNull();
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(
      strings = {
        "",
        "garbage",
        // version 00 has exactly four fields
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-cafe",
        // a later version's extra fields start with a dash
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01cafe",
        // version ff is forbidden
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        // all-zero ids
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        // upper case hex
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        // a non-hex digit in each field
        "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e473z-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",
        // a short trace id, a misplaced dash
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      })
  void anInvalidValueIsTreatedAsAbsent(String header) {
    assertThat(TraceParent.parse(header)).isNull();
  }

  @Test
  void aLaterVersionIsAnsweredAsVersion00WithItsIdsAndFlags() {
    TraceParent tp = TraceParent.parse("cc-" + TRACE + "-" + SPAN + "-0b-what-comes-next");

    assertThat(tp.header()).isEqualTo("00-" + TRACE + "-" + SPAN + "-0b");
  }
}
