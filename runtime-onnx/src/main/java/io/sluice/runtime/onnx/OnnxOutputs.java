package io.sluice.runtime.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import io.sluice.runtime.DataType;
import io.sluice.runtime.Status;
import io.sluice.runtime.Tensor;
import io.sluice.runtime.TensorSpec;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies an ORT output into a {@link Tensor} the caller owns, so the run's native memory can be
 * freed at once. Numeric outputs cost one copy: {@link OnnxTensor#getByteBuffer()} is the only
 * public way to read ORT's output memory and it copies into a new heap buffer in native
 * (little-endian) order, which becomes the tensor's buffer as it is; copying again into a direct
 * buffer would only add a second copy. String outputs are encoded as V2 BYTES into a new direct
 * buffer.
 */
final class OnnxOutputs {
  private OnnxOutputs() {}

  static Tensor toTensor(TensorSpec spec, OnnxValue value) throws OrtException {
    if (!(value instanceof OnnxTensor tensor)) {
      throw Status.internal(
              "output '" + spec.name() + "' is a " + value.getType() + ", not a tensor")
          .asException();
    }
    long[] shape = tensor.getInfo().getShape();
    if (spec.type() == DataType.BYTES) {
      return strings(spec.name(), shape, tensor.getValue());
    }
    ByteBuffer data = tensor.getByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    return Tensor.of(spec.name(), spec.type(), shape, data);
  }

  private static Tensor strings(String name, long[] shape, Object value) {
    List<byte[]> elements = new ArrayList<>();
    flatten(value, elements);
    int size = 0;
    for (byte[] e : elements) {
      size += 4 + e.length;
    }
    ByteBuffer b = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
    for (byte[] e : elements) {
      b.putInt(e.length).put(e);
    }
    return Tensor.of(name, DataType.BYTES, shape, b.flip());
  }

  /** ORT returns an N-dimensional String array (a String for a scalar), row-major. */
  private static void flatten(Object value, List<byte[]> out) {
    if (value instanceof String s) {
      out.add(s.getBytes(StandardCharsets.UTF_8));
    } else if (value != null && value.getClass().isArray()) {
      for (int i = 0, n = Array.getLength(value); i < n; i++) {
        flatten(Array.get(value, i), out);
      }
    }
  }
}
