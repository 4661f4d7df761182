package io.sluice.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.proto.inference.ModelConfigProto;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelInput;
import io.sluice.proto.inference.ModelConfigProto.ModelParameter;
import io.sluice.runtime.DataType;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import io.sluice.runtime.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-model data-quality policy: NaN and ±inf inputs answered with INVALID_ARGUMENT. */
class NonFiniteInputsTest {
  private static ModelConfig config(boolean reject, ModelConfigProto.DataType type) {
    ModelConfig.Builder b = ModelConfig.newBuilder().setName("m").setMaxBatchSize(4)
        .addInput(ModelInput.newBuilder().setName("x").setDataType(type).addDims(2));
    if (reject) {
      b.putParameters(RequestValidator.REJECT_NON_FINITE,
          ModelParameter.newBuilder().setStringValue("true").build());
    }
    return b.build();
  }

  private static Tensor floats(float... v) {
    return Tensor.ofFloats("x", new long[] {v.length / 2, 2}, v);
  }

  @Test
  void aNanInputIsRefusedWithTheElementNamed() {
    RequestValidator v = RequestValidator.compile("m", config(true,
        ModelConfigProto.DataType.TYPE_FP32));
    assertThatThrownBy(() -> v.validate(List.of(floats(1f, 2f, Float.NaN, 4f)), List.of(), 0))
        .isInstanceOfSatisfying(StatusException.class, e -> {
          assertThat(e.status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.status().description()).contains("element 2 is NaN")
              .contains(RequestValidator.REJECT_NON_FINITE);
        });
  }

  @Test
  void anInfiniteHalfPrecisionInputIsRefused() {
    RequestValidator v = RequestValidator.compile("m", config(true,
        ModelConfigProto.DataType.TYPE_FP16));
    ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) 0x3c00).putShort((short) 0xfc00).flip();
    Tensor t = Tensor.of("x", DataType.FP16, new long[] {1, 2}, b);
    assertThatThrownBy(() -> v.validate(List.of(t), List.of(), 0))
        .hasMessageContaining("element 1 is -Infinity");
  }

  @Test
  void finiteInputsPassAndThePolicyIsOffByDefault() {
    RequestValidator on = RequestValidator.compile("m", config(true,
        ModelConfigProto.DataType.TYPE_FP32));
    RequestValidator off = RequestValidator.compile("m", config(false,
        ModelConfigProto.DataType.TYPE_FP32));
    assertThat(on.validate(List.of(floats(1f, 2f)), List.of(), 0)).isEmpty();
    assertThat(off.validate(List.of(floats(Float.NaN, Float.POSITIVE_INFINITY)), List.of(), 0))
        .isEmpty();
  }
}
