package io.sluice.runtime.onnx;

import io.sluice.runtime.Backend;
import io.sluice.runtime.BackendOptions;
import io.sluice.runtime.BackendProvider;
import io.sluice.runtime.Device;
import java.nio.file.Path;
import java.util.Objects;

/**
 * ONNX Runtime behind the {@link BackendProvider} SPI: serves {@code platform:
 * "onnxruntime_onnx"} and {@code backend: "onnxruntime"}, expects {@code model.onnx}, and opens
 * an {@link OnnxBackend} with {@link OnnxOptions} built from the neutral options. Two model
 * parameters are read as Triton's ORT backend reads them: {@code intra_op_thread_count} and
 * {@code inter_op_thread_count} override the thread defaults when they are positive integers
 * (anything else keeps the default, as before). On a CUDA or AUTO device the CUDA provider's
 * options come from the parameters too ({@link CudaOptions}).
 */
public final class OnnxBackendProvider implements BackendProvider {
  static final String PLATFORM = "onnxruntime_onnx";
  static final String BACKEND = "onnxruntime";
  static final String INTRA_OP_THREAD_COUNT = "intra_op_thread_count";
  static final String INTER_OP_THREAD_COUNT = "inter_op_thread_count";

  @Override
  public String platform() {
    return PLATFORM;
  }

  @Override
  public String backend() {
    return BACKEND;
  }

  @Override
  public String defaultModelFilename() {
    return "model.onnx";
  }

  @Override
  public Backend open(Path modelFile, BackendOptions options) {
    return OnnxBackend.open(modelFile, options(options));
  }

  /** The ORT session options for {@code options}, the model's thread parameters applied. */
  public static OnnxOptions options(BackendOptions options) {
    Objects.requireNonNull(options, "options");
    int intra = positive(options.parameters().get(INTRA_OP_THREAD_COUNT), options.intraOpThreads());
    int inter = positive(options.parameters().get(INTER_OP_THREAD_COUNT), options.interOpThreads());
    Device device = options.device();
    CudaOptions cuda = device.kind() == Device.Kind.CPU
        ? CudaOptions.ofDefaults()
        : CudaOptions.from(device.id(), options.parameters());
    if (device.kind() != Device.Kind.CPU && cuda.deviceId() != device.id()) {
      device = new Device(device.kind(), cuda.deviceId());
    }
    return new OnnxOptions(intra, inter, options.allowSpinning(), device, cuda);
  }

  private static int positive(String s, int fallback) {
    if (s == null) {
      return fallback;
    }
    try {
      int v = Integer.parseInt(s.trim());
      return v > 0 ? v : fallback;
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  @Override
  public String toString() {
    return "OnnxBackendProvider{" + PLATFORM + ", " + BACKEND + "}";
  }
}
