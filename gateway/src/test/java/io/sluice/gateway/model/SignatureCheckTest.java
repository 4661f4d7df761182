package io.sluice.gateway.model;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.registry.DeclaredSignature;
import io.sluice.runtime.DataType;
import io.sluice.runtime.ModelSignature;
import io.sluice.runtime.StatusException;
import io.sluice.runtime.TensorSpec;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SignatureCheckTest {
  private static final ModelSignature GRAPH = new ModelSignature(
      List.of(new TensorSpec("input", DataType.FP32, new long[] {-1, 32})),
      List.of(new TensorSpec("output", DataType.FP32, new long[] {-1, 1})));

  private static DeclaredSignature.Tensor t(String name, String dtype, long... shape) {
    return new DeclaredSignature.Tensor(Optional.ofNullable(name), dtype, shape);
  }

  @Test
  void aSignatureThatMatchesTheGraphPasses() {
    assertThatCode(() -> SignatureCheck.check("m", new DeclaredSignature(
        List.of(t("input", "float32", -1, 32)), List.of(t("output", "float32", -1, 1))), GRAPH))
        .doesNotThrowAnyException();
  }

  @Test
  void unnamedTensorsAreMatchedByPositionAndAFixedDimMayMeetAVariableOne() {
    assertThatCode(() -> SignatureCheck.check("m", new DeclaredSignature(
        List.of(t(null, "float32", 8, 32)), List.of()), GRAPH))
        .doesNotThrowAnyException();
  }

  @Test
  void anotherElementTypeIsRefusedNamingTheTensor() {
    assertThatThrownBy(() -> SignatureCheck.check("m", new DeclaredSignature(
        List.of(t("input", "int64", -1, 32)), List.of()), GRAPH))
        .isInstanceOf(StatusException.class)
        .hasMessageContaining("input 'input' declared int64 but the graph takes FP32");
  }

  @Test
  void anUnknownNameARankOrAFixedDimThatDiffersIsRefused() {
    assertThatThrownBy(() -> SignatureCheck.check("m", new DeclaredSignature(
        List.of(t("x", "float32", -1, 32)), List.of()), GRAPH))
        .hasMessageContaining("input 'x' declared, but the graph's inputs are [input]");
    assertThatThrownBy(() -> SignatureCheck.check("m", new DeclaredSignature(
        List.of(t("input", "float32", -1, 32, 1)), List.of()), GRAPH))
        .hasMessageContaining("declared shape [-1, 32, 1]");
    assertThatThrownBy(() -> SignatureCheck.check("m", new DeclaredSignature(
        List.of(t("input", "float32", -1, 4)), List.of()), GRAPH))
        .hasMessageContaining("but the graph has [-1, 32]");
    assertThatThrownBy(() -> SignatureCheck.check("m", new DeclaredSignature(
        List.of(t("input", "float32", -1, 32)), List.of(t("a", "float32", -1),
            t("b", "float32", -1))), GRAPH))
        .hasMessageContaining("2 outputs declared");
  }
}
