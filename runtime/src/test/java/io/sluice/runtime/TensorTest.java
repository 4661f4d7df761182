package io.sluice.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class TensorTest {

  @Test
  void aShapeWhoseProductOverflowsIsInvalidArgumentNamingTheInput() {
    // Was an ArithmeticException "long overflow": a 500 from the HTTP binary path.
    assertThatThrownBy(() -> Tensor.of("x", DataType.FP32,
            new long[] {4294967296L, 4294967296L, 4}, ByteBuffer.allocate(16)))
        .isInstanceOfSatisfying(StatusException.class,
            e -> assertThat(e.status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("input 'x'")
        .hasMessageContaining("more elements than a long holds");
  }

  @Test
  void aCountWhoseByteSizeOverflowsIsInvalidArgument() {
    assertThatThrownBy(() -> Tensor.of("x", DataType.FP64,
            new long[] {Long.MAX_VALUE / 2}, ByteBuffer.allocate(16)))
        .isInstanceOfSatisfying(StatusException.class,
            e -> assertThat(e.status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("elements of 8 bytes");
  }

  @Test
  void aZeroDimensionMakesAnEmptyTensorWhateverTheOthersAre() {
    assertThat(Tensor.elementCount(new long[] {Long.MAX_VALUE, 0, Long.MAX_VALUE})).isZero();
    assertThat(Tensor.of("x", DataType.FP32, new long[] {1L << 40, 0}, ByteBuffer.allocate(0))
        .elementCount()).isZero();
  }

  @Test
  void aNegativeDimensionIsInvalidArgumentNamingTheInput() {
    assertThatThrownBy(() -> Tensor.elementCount("y", new long[] {2, -1}))
        .isInstanceOf(StatusException.class)
        .hasMessageContaining("input 'y'")
        .hasMessageContaining("negative dimension");
  }
}
