package io.sluice.runtime.tensorflow;

import io.sluice.runtime.DataType;
import io.sluice.runtime.Status;
import io.sluice.runtime.Tensor;
import io.sluice.runtime.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.tensorflow.RawTensor;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.ndarray.buffer.DataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TString;

/**
 * Copies a TensorFlow output into a {@link Tensor} the caller owns, so the run's native memory
 * can be freed at once. A numeric output is one bulk read of the tensor's raw memory into a heap
 * array, which becomes the tensor's buffer as it is (TensorFlow's memory is little-endian here,
 * as V2 is). A string output is read as its element bytes and encoded as V2 BYTES.
 */
final class TfOutputs {
  private TfOutputs() {}

  static Tensor toTensor(TensorSpec spec, org.tensorflow.Tensor value) {
    long[] shape = value.shape().asArray();
    DataType actual = TfTypes.toDataType(value.dataType());
    if (actual != spec.type()) {
      throw Status.internal(
              "output '" + spec.name() + "' is " + value.dataType() + " (expected: " + spec.type()
                  + " as the signature says)")
          .asException();
    }
    if (spec.type() == DataType.BYTES) {
      return strings(spec.name(), shape, ((TString) value).asBytes());
    }
    RawTensor raw = value.asRawTensor();
    byte[] bytes = new byte[Math.toIntExact(raw.numBytes())];
    raw.data().read(bytes);
    return Tensor.of(spec.name(), spec.type(), shape,
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
  }

  private static Tensor strings(String name, long[] shape, NdArray<byte[]> values) {
    int n = Math.toIntExact(values.size());
    DataBuffer<byte[]> elements = DataBuffers.ofObjects(byte[].class, n);
    values.copyTo(elements);
    long size = 0;
    for (int i = 0; i < n; i++) {
      size += 4 + elements.getObject(i).length;
    }
    ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      byte[] e = elements.getObject(i);
      b.putInt(e.length).put(e);
    }
    return Tensor.of(name, DataType.BYTES, shape, b.flip());
  }
}
