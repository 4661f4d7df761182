package io.sluice.runtime.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import ai.onnxruntime.OrtSession.SessionOptions;
import io.sluice.runtime.Device;

/**
 * Translates {@link OnnxOptions} into ORT {@link SessionOptions}: thread counts as given, idle
 * spinning off unless asked for (a spinning intra-op pool steals the CPU the event loops need on
 * a small machine), all graph optimizations, the parallel executor only when more than one
 * inter-op thread would have something to do, and the execution provider {@link
 * ExecutionProviders} picks for the options' device.
 */
final class OnnxSessionOptions {
  static final String INTRA_OP_SPINNING = "session.intra_op.allow_spinning";
  static final String INTER_OP_SPINNING = "session.inter_op.allow_spinning";

  private OnnxSessionOptions() {}

  /** Session options and the device they put the session on; the caller closes them. */
  record Placed(SessionOptions options, Device device) {}

  /** New session options for {@code options}, on {@code options.device()} as far as it can be. */
  static Placed create(OnnxOptions options, ExecutionProviders providers, String model)
      throws OrtException {
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
      Device device = providers.apply(so, options.device(), options.cuda(), model);
      return new Placed(so, device);
    } catch (OrtException | RuntimeException e) {
      so.close();
      throw e;
    }
  }
}
