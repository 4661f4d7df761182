package io.sluice.runtime.onnx;


/**
 * How an ONNX Runtime session is built.
 *
 * @param intraOpThreads threads inside one operator; 1 on a small machine, so that instances and
 *     event loops do not fight over cores
 * @param interOpThreads threads across independent operators
 * @param allowSpinning whether idle ORT threads spin; off by default, since spinning threads steal
 *     the event loops' CPU
 * @param useCuda run on the CUDA execution provider (needs the {@code cuda} build profile)
 * @param cudaDevice the CUDA device id
 */
public record OnnxOptions(
    int intraOpThreads, int interOpThreads, boolean allowSpinning, boolean useCuda, int cudaDevice) {

  public OnnxOptions {
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intraOpThreads: " + intraOpThreads + " (expected: > 0)");
    }
    if (interOpThreads < 1) {
      throw new IllegalArgumentException("interOpThreads: " + interOpThreads + " (expected: > 0)");
    }
  }

  public static OnnxOptions ofDefaults() {
    return new OnnxOptions(1, 1, false, false, 0);
  }
}
