package io.sluice.runtime.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.sluice.runtime.BufferPool;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import io.sluice.runtime.Tensor;
import io.sluice.runtime.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Checks an input tensor against the model's {@link TensorSpec} and hands it to ONNX Runtime. A
 * direct buffer is wrapped as it is (ORT reads the transport's or the batch's memory, no copy);
 * a heap buffer (gRPC's {@code raw_input_contents}, a JSON request's packed values) is copied
 * once into a direct one leased from the backend's {@link BufferPool}, which the backend gives
 * back after the run: ORT would copy a heap buffer anyway, and a fresh {@code allocateDirect}
 * per request costs a zeroed native block, a cleaner for the collector and, near the direct
 * memory limit, a {@code System.gc()}. BYTES
 * become Java strings, since that is the only way ORT's Java API takes string tensors; bytes
 * that are not UTF-8 cannot make that trip and are refused rather than silently replaced.
 */
final class OnnxInputs {
  private OnnxInputs() {}

  /**
   * @throws StatusException INVALID_ARGUMENT when the tensor does not match {@code spec} or ORT
   *     Java cannot carry it
   */
  static void check(Tensor t, TensorSpec spec) {
    if (t.type() != spec.type()) {
      throw Status.invalidArgument(
              "input '" + t.name() + "': datatype " + t.type() + " (expected: " + spec.type() + ")")
          .asException();
    }
    if (OnnxTypes.toJavaType(t.type()) == null) {
      throw Status.invalidArgument(
              "input '" + t.name() + "': ONNX Runtime Java cannot carry " + t.type()
                  + " tensors (expected: a signed integer, float, BOOL, UINT8 or BYTES type)")
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

  /**
   * A new ORT tensor over {@code t}'s data; the caller owns and closes it. A heap buffer is first
   * copied into a buffer from {@code staging}, added to {@code leases}; the caller releases those
   * once the tensor is closed.
   */
  static OnnxTensor toOnnx(
      OrtEnvironment env, Tensor t, BufferPool staging, List<ByteBuffer> leases)
      throws OrtException {
    OnnxJavaType javaType = OnnxTypes.toJavaType(t.type());
    if (javaType == null) {
      throw Status.invalidArgument(
              "input '" + t.name() + "': ONNX Runtime Java cannot carry " + t.type() + " tensors")
          .asException();
    }
    if (javaType == OnnxJavaType.STRING) {
      return OnnxTensor.createTensor(env, strings(t), t.shape());
    }
    ByteBuffer data = t.data();
    if (!data.isDirect()) {
      ByteBuffer copy = staging.acquire(data.remaining());
      leases.add(copy);
      data = copy.put(data).flip();
    }
    return OnnxTensor.createTensor(env, data, t.shape(), javaType);
  }

  private static String[] strings(Tensor t) {
    ByteBuffer b = t.data();
    String[] out = new String[Math.toIntExact(t.elementCount())];
    CharsetDecoder utf8 =
        StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    for (int i = 0; i < out.length; i++) {
      int len = b.getInt();
      ByteBuffer element = b.slice(b.position(), len);
      b.position(b.position() + len);
      try {
        CharBuffer chars = utf8.decode(element);
        out[i] = chars.toString();
      } catch (CharacterCodingException e) {
        throw Status.invalidArgument(
                "input '" + t.name() + "': BYTES element " + i + " is not valid UTF-8;"
                    + " ONNX Runtime Java only carries UTF-8 strings")
            .asException();
      }
    }
    return out;
  }
}
