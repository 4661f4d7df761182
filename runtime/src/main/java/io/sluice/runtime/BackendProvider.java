package io.sluice.runtime;

import java.nio.file.Path;

/**
 * One inference engine, as the gateway sees it: the {@code config.pbtxt} names it serves, the
 * model file it expects, and how to open an instance. Each engine lives in its own module
 * ({@code runtime-onnx} gives {@code OnnxBackendProvider}) so that its native library and its
 * dependency tree (TensorFlow's protobuf-java 3.x, for one) stay inside that module; the
 * gateway holds the providers in a registry keyed by {@link #platform()} and {@link #backend()},
 * wired explicitly at start-up, with no service loading and no static state.
 *
 * <p>A provider is stateless and safe to call from any thread; what it opens is owned by the
 * caller, which closes it.
 */
public interface BackendProvider {

  /**
   * The {@code config.pbtxt} {@code platform} this engine serves, and the one autofill writes for
   * a config that names none, e.g. {@code onnxruntime_onnx}.
   */
  String platform();

  /**
   * The {@code config.pbtxt} {@code backend} this engine serves, written by autofill next to
   * {@link #platform()}, e.g. {@code onnxruntime}.
   */
  String backend();

  /**
   * The model file a version folder holds when the config gives no {@code
   * default_model_filename}, e.g. {@code model.onnx}.
   */
  String defaultModelFilename();

  /**
   * Opens one instance of the model at {@code modelFile}.
   *
   * @throws StatusException INTERNAL when the file is missing or not a loadable model,
   *     UNAVAILABLE when the requested device cannot be used
   */
  Backend open(Path modelFile, BackendOptions options);
}
