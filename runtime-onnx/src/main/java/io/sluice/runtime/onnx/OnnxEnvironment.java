package io.sluice.runtime.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtLoggingLevel;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import java.nio.ByteOrder;

/**
 * The one {@link OrtEnvironment} of the process. ONNX Runtime allows a single environment per
 * process and it lives as long as the process, so it is created lazily on first use (loading the
 * native library then, not when the class path is scanned) and never closed. Tensors cross into
 * ONNX Runtime as raw bytes, so this is also where a big-endian platform is refused, since V2
 * tensors are little-endian and ORT reads native order.
 */
final class OnnxEnvironment {
  private OnnxEnvironment() {}

  /**
   * The shared environment.
   *
   * @throws StatusException INTERNAL when the native library cannot load or the platform is
   *     big-endian
   */
  static OrtEnvironment get() {
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw Status.internal(
              "ONNX Runtime backend needs a little-endian platform (found: "
                  + ByteOrder.nativeOrder() + ")")
          .asException();
    }
    try {
      return Holder.ENV;
    } catch (LinkageError e) {
      throw Status.internal("cannot load the ONNX Runtime native library: " + e)
          .withCause(e)
          .asException();
    }
  }

  private static final class Holder {
    static final OrtEnvironment ENV =
        OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "sluice");
  }
}
