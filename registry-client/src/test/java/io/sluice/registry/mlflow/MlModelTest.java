package io.sluice.registry.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.registry.DeclaredSignature;
import io.sluice.registry.RepositoryException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MlModelTest {

  @Test
  void theMlmodelMlflow3WritesNamesTheOnnxFileAndTheTensorSignature() throws Exception {
    String text;
    try (InputStream in = getClass().getResourceAsStream("/mlflow/MLmodel")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    MlModel m = MlModel.parse(text, "MLmodel");

    assertThat(m.modelFile()).isEqualTo("model.onnx");
    assertThat(m.signature()).contains(new DeclaredSignature(
        java.util.List.of(new DeclaredSignature.Tensor(Optional.of("input"), "float32",
            new long[] {-1, 32})),
        java.util.List.of(new DeclaredSignature.Tensor(Optional.of("output"), "float32",
            new long[] {-1, 1}))));
  }

  @Test
  void aColumnSignatureNamesNoTensorAndIsNotChecked() throws Exception {
    MlModel m = MlModel.parse("flavors: {onnx: {data: m.onnx}}\nsignature:\n  inputs: '[{\"type\":"
        + " \"double\", \"name\": \"a\"}]'\n  outputs: null\n", "MLmodel");

    assertThat(m.modelFile()).isEqualTo("m.onnx");
    assertThat(m.signature()).isEmpty();
  }

  @Test
  void aModelWithoutAnOnnxFlavorIsRefused() {
    assertThatThrownBy(() -> MlModel.parse("flavors: {python_function: {loader_module: x}}\n",
            "MLmodel"))
        .isInstanceOfSatisfying(RepositoryException.class,
            e -> assertThat(e.kind()).isEqualTo(RepositoryException.Kind.INVALID_CONFIG))
        .hasMessageContaining("[python_function]")
        .hasMessageContaining("expected: an onnx flavor");
  }

  @Test
  void aSignatureThatIsNotJsonIsRefused() {
    assertThatThrownBy(() -> MlModel.parse("flavors: {onnx: {}}\nsignature: {inputs: '[{'}\n",
            "MLmodel"))
        .hasMessageContaining("signature inputs is not JSON");
  }
}
