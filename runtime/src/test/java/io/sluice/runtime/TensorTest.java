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
  void absoluteReadsSeeTheSameLittleEndianValuesAsTheView() {
    ByteBuffer b = ByteBuffer.allocate(3 + 24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.position(3); // a tensor over a slice: offsets count from its own start
    b.putFloat(1.25f).putFloat(-3.5f).putDouble(6.75).putLong(-9L);
    b.position(3);
    Tensor t = Tensor.of("x", DataType.UINT8, new long[] {24}, b);
    ByteBuffer view = t.data();
    assertThat(t.floatAt(4)).isEqualTo(-3.5f).isEqualTo(view.getFloat(4));
    assertThat(t.doubleAt(8)).isEqualTo(6.75);
    assertThat(t.longAt(16)).isEqualTo(-9L);
    assertThat(t.intAt(0)).isEqualTo(view.getInt(0));
    assertThat(t.shortAt(2)).isEqualTo(view.getShort(2));
    assertThat(t.byteAt(23)).isEqualTo((byte) -1);
    assertThat(t.elementCount()).isEqualTo(24);
    assertThat(t.reshape(new long[] {4, 6}).elementCount()).isEqualTo(24);
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
