package io.sluice.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SafeTextTest {

  @Test
  void gsonsClassNameAndTroubleshootingUrlAreRemoved() {
    assertThat(SafeText.clean("invalid 'config' parameter: com.google.gson.stream"
            + ".MalformedJsonException: Expected ':' at line 1 column 7 path $.bad\nSee"
            + " https://github.com/google/gson/blob/main/Troubleshooting.md#malformed-json"))
        .isEqualTo("invalid 'config' parameter: Expected ':' at line 1 column 7 path $.bad");
  }

  @Test
  void jacksonsCodeReferenceIsRemoved() {
    assertThat(SafeText.clean("Document nesting depth (1001) exceeds the maximum allowed (1000,"
            + " from `StreamReadConstraints.getMaxNestingDepth()`)"))
        .isEqualTo("Document nesting depth (1001) exceeds the maximum allowed (1000)");
  }

  @Test
  void innerClassesAndMethodReferencesAreRemoved() {
    assertThat(SafeText.clean("failed: com.google.protobuf.TextFormat$ParseException: 1:2: x"))
        .isEqualTo("failed: 1:2: x");
    assertThat(SafeText.clean("at io.sluice.runtime.Tensor.of() in Tensor.java:42"))
        .doesNotContain("io.sluice").doesNotContain("Tensor.java:42");
  }

  @Test
  void anEnginesSourceLocationIsRemoved() {
    assertThat(SafeText.clean("Status Message: /onnxruntime_src/onnxruntime/core/providers/cpu"
            + "/math/gemm_helper.h:14 GemmHelper left operand cannot broadcast"))
        .isEqualTo("Status Message: GemmHelper left operand cannot broadcast");
  }

  @Test
  void anAbsoluteServerPathBecomesItsLastSegment() {
    assertThat(SafeText.clean("Load model from /tmp/repo/m/1/model.onnx failed"))
        .isEqualTo("Load model from model.onnx failed");
    assertThat(SafeText.clean("reading '/etc/passwd'")).isEqualTo("reading 'passwd'");
  }

  @Test
  void theProtocolsOwnPathsNamesAndNumbersStay() {
    String kept = "version 'x' in the path (expected: decimal digits, e.g."
        + " /v2/models/m/versions/1); input 'float_input': shape [1, 4]; 1.5e3; model.onnx;"
        + " m/config.pbtxt:3:17: Couldn't parse integer; message inference.ModelConfig";
    assertThat(SafeText.clean(kept)).isEqualTo(kept);
    assertThat(SafeText.isClean(kept)).isTrue();
  }

  @Test
  void aLongMessageIsCut() {
    String cleaned = SafeText.clean("input '" + "x".repeat(100_000) + "' is unknown");
    assertThat(cleaned).hasSizeLessThan(SafeText.MAX_LENGTH + 20).endsWith("… (cut)");
  }

  @Test
  @Timeout(10)
  void matchingIsLinearInTheLengthOfAdversarialText() {
    // Runs each pattern could backtrack over. At 200 KB a quadratic pattern takes minutes (the
    // first version took 82 s on a 70 KB input name); a linear one, milliseconds.
    for (String unit : new String[] {"x", "a.", "a/", "ab.cd.", "/tmp", "com.a.", "`from ", "9"}) {
      String text = unit.repeat(200_000 / unit.length());
      SafeText.isClean(text);
      assertThat(SafeText.clean(text)).isNotEmpty();
    }
  }

  @Test
  void anEmptyOrNullMessageIsNeverEmptyOnceCleaned() {
    assertThat(SafeText.clean(null)).isEmpty();
    assertThat(SafeText.clean("java.lang.IllegalStateException")).isEqualTo("error");
    assertThat(SafeText.message(new IllegalStateException("java.lang.Foo"), "fallback"))
        .isEqualTo("fallback");
    assertThat(SafeText.message(new IllegalStateException(), "fallback")).isEqualTo("fallback");
  }
}
