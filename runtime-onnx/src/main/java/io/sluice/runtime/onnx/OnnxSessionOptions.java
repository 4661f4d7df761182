package io.sluice.runtime.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import ai.onnxruntime.OrtSession.SessionOptions;
import io.sluice.runtime.Status;

/**
 * Translates {@link OnnxOptions} into ORT {@link SessionOptions}: thread counts as given, idle
 * spinning off unless asked for (a spinning intra-op pool steals the CPU the event loops need on
 * a small machine), all graph optimizations, the parallel executor only when more than one
 * inter-op thread would have something to do, and the CUDA execution provider when requested.
 * CUDA that is not there is a clear UNAVAILABLE at load, naming the reason, rather than a silent
 * fall back to the CPU.
 */
final class OnnxSessionOptions {
  static final String INTRA_OP_SPINNING = "session.intra_op.allow_spinning";
  static final String INTER_OP_SPINNING = "session.inter_op.allow_spinning";

  private OnnxSessionOptions() {}

  /** New session options for {@code options}; the caller closes them. */
  static SessionOptions create(OnnxOptions options) throws OrtException {
    SessionOptions so = new SessionOptions();
    try {
      so.setIntraOpNumThreads(options.intraOpThreads());
      so.setInterOpNumThreads(options.interOpThreads());
      so.setExecutionMode(
          options.interOpThreads() > 1 ? ExecutionMode.PARALLEL : ExecutionMode.SEQUENTIAL);
      String spin = options.allowSpinning() ? "1" : "0";
      so.addConfigEntry(INTRA_OP_SPINNING, spin);
      so.addConfigEntry(INTER_OP_SPINNING, spin);
      so.setOptimizationLevel(OptLevel.ALL_OPT);
      if (options.useCuda()) {
        addCuda(so, options.cudaDevice());
      }
      return so;
    } catch (OrtException | RuntimeException e) {
      so.close();
      throw e;
    }
  }

  private static void addCuda(SessionOptions so, int device) {
    if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
      throw Status.unavailable(
              "CUDA was requested but this ONNX Runtime build has no CUDA execution provider"
                  + " (available: " + OrtEnvironment.getAvailableProviders()
                  + "); build with the 'cuda' profile for onnxruntime_gpu, or run on the CPU")
          .asException();
    }
    try {
      so.addCUDA(device);
    } catch (OrtException e) {
      throw Status.unavailable(
              "cannot start the CUDA execution provider on device " + device + ": "
                  + e.getMessage())
          .withCause(e)
          .asException();
    }
  }
}
