package io.sluice.gateway.model;

import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.runtime.Backend;
import io.sluice.runtime.EchoBackend;
import io.sluice.runtime.OnnxBackend;
import io.sluice.runtime.OnnxOptions;
import io.sluice.runtime.Status;
import java.nio.file.Path;

/**
 * Opens one backend instance for a model file. The seam where a second engine (TensorFlow
 * SavedModel) and the benchmark's echo backend plug in.
 */
@FunctionalInterface
public interface BackendFactory {

  /**
   * @param config the model's config as given (not yet completed): enough to pick the engine
   * @throws io.sluice.runtime.StatusException when the file cannot be loaded
   */
  Backend open(Path modelFile, ModelConfig config, OnnxOptions options);

  /** ONNX Runtime for {@code onnxruntime_onnx} (or no platform); anything else is refused. */
  static BackendFactory onnxRuntime() {
    return (file, config, options) -> {
      String platform = config.getPlatform();
      String backend = config.getBackend();
      boolean onnx =
          (platform.isEmpty() || platform.equals("onnxruntime_onnx"))
              && (backend.isEmpty() || backend.equals("onnxruntime"));
      if (!onnx) {
        throw Status.unimplemented(
                "platform '" + platform + "' / backend '" + backend
                    + "' is not supported (expected: onnxruntime_onnx)")
            .asException();
      }
      return OnnxBackend.open(file, options);
    };
  }

  /**
   * The benchmark's transport ceiling: reads the model's signature with the real engine, then
   * answers every run with zeros of the real output sizes and no compute.
   */
  static BackendFactory echo(BackendFactory real) {
    return (file, config, options) -> {
      try (Backend engine = real.open(file, config, options)) {
        return new EchoBackend(engine.signature());
      }
    };
  }
}
