package io.sluice.runtime.tensorflow;

import io.sluice.runtime.Backend;
import io.sluice.runtime.BackendOptions;
import io.sluice.runtime.BackendProvider;
import io.sluice.runtime.Status;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * TensorFlow behind the {@link BackendProvider} SPI: serves {@code platform:
 * "tensorflow_savedmodel"} and {@code backend: "tensorflow"}, expects the folder {@code
 * model.savedmodel}, and opens a {@link TensorFlowBackend}. The model parameters read are the
 * ones ONNX Runtime reads for threads ({@code intra_op_thread_count}, {@code
 * inter_op_thread_count}: positive integers override the gateway's defaults), and Triton's
 * TensorFlow backend's {@code TF_SIGNATURE_DEF} (the signature served, default {@code
 * serving_default}) and {@code TF_GRAPH_TAG} (the meta-graph tag, default {@code serve}). Only
 * the CPU build of TensorFlow Java is packaged, so a CUDA device is refused with UNAVAILABLE.
 */
public final class TensorFlowBackendProvider implements BackendProvider {
  static final String PLATFORM = "tensorflow_savedmodel";
  static final String BACKEND = "tensorflow";
  static final String INTRA_OP_THREAD_COUNT = "intra_op_thread_count";
  static final String INTER_OP_THREAD_COUNT = "inter_op_thread_count";
  static final String SIGNATURE_DEF = "TF_SIGNATURE_DEF";
  static final String GRAPH_TAG = "TF_GRAPH_TAG";

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
    return "model.savedmodel";
  }

  @Override
  public Backend open(Path modelFile, BackendOptions options) {
    Objects.requireNonNull(options, "options");
    if (options.device().isCuda()) {
      throw Status.unavailable("the TensorFlow backend runs on the CPU only (this build packages"
          + " TensorFlow Java's CPU native library); use instance_group kind KIND_CPU")
          .asException();
    }
    return TensorFlowBackend.open(modelFile, options(options));
  }

  /** The TensorFlow options for {@code options}, the model's parameters applied. */
  public static TensorFlowOptions options(BackendOptions options) {
    Objects.requireNonNull(options, "options");
    int intra = positive(options.parameters().get(INTRA_OP_THREAD_COUNT), options.intraOpThreads());
    int inter = positive(options.parameters().get(INTER_OP_THREAD_COUNT), options.interOpThreads());
    String key = nonBlank(options.parameters().get(SIGNATURE_DEF), "serving_default");
    List<String> tags =
        Arrays.asList(nonBlank(options.parameters().get(GRAPH_TAG), "serve").split(","));
    return new TensorFlowOptions(intra, inter, key.trim(),
        tags.stream().map(String::trim).filter(s -> !s.isEmpty()).toList());
  }

  private static String nonBlank(String s, String fallback) {
    return s == null || s.isBlank() ? fallback : s;
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
    return "TensorFlowBackendProvider{" + PLATFORM + ", " + BACKEND + "}";
  }
}
