package io.sluice.runtime.tensorflow;

import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import io.sluice.runtime.Tensor;
import io.sluice.runtime.TensorSpec;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.ByteDataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Checks an input tensor against the signature and copies it into a new TensorFlow tensor.
 * TensorFlow owns its tensor memory, so a Java buffer cannot be wrapped: the data is written
 * straight into the tensor's raw memory in one bulk copy (an array copy for a heap buffer, a
 * 64-, 32- or 16-bit typed view for a direct one), never element by element through {@code
 * DataBuffers.of(ByteBuffer)}, which is several times slower for the same bytes. BYTES become a
 * {@code TString} of the raw element bytes, so binary strings pass unchanged.
 */
final class TfInputs {
  private TfInputs() {}

  /**
   * @throws StatusException INVALID_ARGUMENT when the tensor does not match {@code spec} or
   *     TensorFlow Java has no tensor of its type
   */
  static void check(Tensor t, TensorSpec spec) {
    if (t.type() != spec.type()) {
      throw Status.invalidArgument(
              "input '" + t.name() + "': datatype " + t.type() + " (expected: " + spec.type() + ")")
          .asException();
    }
    if (TfTypes.toTensorClass(t.type()) == null) {
      throw Status.invalidArgument(
              "input '" + t.name() + "': TensorFlow Java cannot carry " + t.type()
                  + " tensors (expected: FP16/32/64, BF16, INT32, INT64, UINT8, UINT16, BOOL or"
                  + " BYTES)")
          .asException();
    }
    long[] want = spec.shape();
    long[] got = t.shape();
    boolean ok = want.length == got.length;
    for (int i = 0; ok && i < want.length; i++) {
      ok = want[i] < 0 || want[i] == got[i];
    }
    if (!ok) {
      throw Status.invalidArgument(
              "input '" + t.name() + "': shape " + Arrays.toString(got) + " (expected: "
                  + Arrays.toString(want) + ", -1 for any size)")
          .asException();
    }
  }

  /** A new TensorFlow tensor holding a copy of {@code t}; the caller owns and closes it. */
  static TType toTf(Tensor t) {
    Shape shape = Shape.of(t.shape());
    if (t.type() == io.sluice.runtime.DataType.BYTES) {
      return TString.tensorOfBytes(shape, strings(t));
    }
    TType tensor = org.tensorflow.Tensor.of(TfTypes.toTensorClass(t.type()), shape);
    try {
      copy(t.data(), tensor.asRawTensor().data());
      return tensor;
    } catch (RuntimeException e) {
      tensor.close();
      throw e;
    }
  }

  /** One bulk copy of {@code src} (little-endian, as TensorFlow's memory on this platform). */
  static void copy(ByteBuffer src, ByteDataBuffer dst) {
    int n = src.remaining();
    if (src.hasArray()) {
      dst.write(src.array(), src.arrayOffset() + src.position(), n);
    } else if (n % 8 == 0) {
      DataBuffers.of(src.asLongBuffer()).copyTo(dst.asLongs(), n / 8);
    } else if (n % 4 == 0) {
      DataBuffers.of(src.asIntBuffer()).copyTo(dst.asInts(), n / 4);
    } else if (n % 2 == 0) {
      DataBuffers.of(src.asShortBuffer()).copyTo(dst.asShorts(), n / 2);
    } else {
      // Odd sizes are one-byte types (BOOL, UINT8): a copy through the heap is still one bulk copy.
      byte[] bytes = new byte[n];
      src.duplicate().get(bytes);
      dst.write(bytes);
    }
  }

  private static DataBuffer<byte[]> strings(Tensor t) {
    ByteBuffer b = t.data();
    int n = Math.toIntExact(t.elementCount());
    DataBuffer<byte[]> out = DataBuffers.ofObjects(byte[].class, n);
    for (int i = 0; i < n; i++) {
      byte[] element = new byte[b.getInt()];
      b.get(element);
      out.setObject(element, i);
    }
    return out;
  }
}
