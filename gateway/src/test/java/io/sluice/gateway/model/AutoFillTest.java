package io.sluice.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.proto.inference.ModelConfigProto;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelInput;
import io.sluice.runtime.DataType;
import io.sluice.runtime.ModelSignature;
import io.sluice.runtime.StatusException;
import io.sluice.runtime.TensorSpec;
import io.sluice.runtime.onnx.OnnxBackendProvider;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutoFillTest {
  static final OnnxBackendProvider ONNX = new OnnxBackendProvider();
  private static final ModelSignature BATCHABLE =
      new ModelSignature(
          List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, 32})),
          List.of(new TensorSpec("y", DataType.FP32, new long[] {-1, 1})));

  private static final ModelSignature FIXED =
      new ModelSignature(
          List.of(new TensorSpec("a", DataType.INT64, new long[] {4})),
          List.of(new TensorSpec("s", DataType.INT64, new long[] {4})));

  private final AutoFill autoFill = new AutoFill(4);

  @Test
  void modelWithoutConfigThatCanBatchGetsDefaultMaxBatchSizeAndDynamicBatching() {
    ModelConfig c = autoFill.complete("m", ModelConfig.getDefaultInstance(), BATCHABLE, ONNX);

    assertThat(c.getName()).isEqualTo("m");
    assertThat(c.getPlatform()).isEqualTo("onnxruntime_onnx");
    assertThat(c.getMaxBatchSize()).isEqualTo(4);
    assertThat(c.hasDynamicBatching()).isTrue();
    assertThat(c.getDynamicBatching().getPreferredBatchSizeList()).containsExactly(4);
    assertThat(c.getInput(0).getDataType()).isEqualTo(ModelConfigProto.DataType.TYPE_FP32);
    assertThat(c.getInput(0).getDimsList()).containsExactly(32L);
    assertThat(c.getOutput(0).getDimsList()).containsExactly(1L);
    assertThat(c.getInstanceGroup(0).getCount()).isEqualTo(1);
    assertThat(c.getVersionPolicy().getLatest().getNumVersions()).isEqualTo(1);
  }

  @Test
  void modelWithFixedShapesDoesNotBatch() {
    ModelConfig c = autoFill.complete("m", ModelConfig.getDefaultInstance(), FIXED, ONNX);

    assertThat(c.getMaxBatchSize()).isZero();
    assertThat(c.hasDynamicBatching()).isFalse();
    assertThat(c.getInput(0).getDimsList()).containsExactly(4L);
  }

  @Test
  void configThatDeclaresTensorsKeepsItsBatchingChoice() {
    ModelConfig given =
        ModelConfig.newBuilder()
            .addInput(ModelInput.newBuilder().setName("x"))
            .build();

    ModelConfig c = autoFill.complete("m", given, BATCHABLE, ONNX);

    assertThat(c.getMaxBatchSize()).isZero();
    assertThat(c.getInput(0).getDimsList()).containsExactly(-1L, 32L);
    assertThat(c.getOutputList()).extracting(o -> o.getName()).containsExactly("y");
  }

  @Test
  void maxBatchSizeOnAModelWithoutABatchDimensionIsRejected() {
    ModelConfig given = ModelConfig.newBuilder().setMaxBatchSize(8).build();

    assertThatThrownBy(() -> autoFill.complete("m", given, FIXED, ONNX))
        .isInstanceOf(StatusException.class)
        .hasMessageContaining("variable first dimension");
  }

  @Test
  void configInputThatTheModelDoesNotHaveIsRejected() {
    ModelConfig given =
        ModelConfig.newBuilder().addInput(ModelInput.newBuilder().setName("nope")).build();

    assertThatThrownBy(() -> autoFill.complete("m", given, BATCHABLE, ONNX))
        .isInstanceOf(StatusException.class)
        .hasMessageContaining("'nope' is not an input of the model");
  }
}
