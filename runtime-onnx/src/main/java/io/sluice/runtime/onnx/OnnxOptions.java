package io.sluice.runtime.onnx;

import io.sluice.runtime.Device;

/**
 * How an ONNX Runtime session is built.
 *
 * @param intraOpThreads threads inside one operator; 1 on a small machine, so that instances and
 *     event loops do not fight over cores
 * @param interOpThreads threads across independent operators
 * @param allowSpinning whether idle ORT threads spin; off by default, since spinning threads steal
 *     the event loops' CPU
 * @param device the CPU; CUDA, required (needs the {@code cuda} build profile and a GPU); or AUTO,
 *     CUDA when usable else the CPU ({@link ExecutionProviders})
 * @param cuda the CUDA execution provider's options, used when the session runs on CUDA
 */
public record OnnxOptions(
    int intraOpThreads, int interOpThreads, boolean allowSpinning, Device device,
    CudaOptions cuda) {

  public OnnxOptions {
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intraOpThreads: " + intraOpThreads + " (expected: > 0)");
    }
    if (interOpThreads < 1) {
      throw new IllegalArgumentException("interOpThreads: " + interOpThreads + " (expected: > 0)");
    }
    if (device == null) {
      throw new IllegalArgumentException("device: null (expected: CPU, CUDA or AUTO)");
    }
    if (cuda == null) {
      throw new IllegalArgumentException("cuda: null (expected: CudaOptions.ofDefaults())");
    }
  }

  /** One thread each way, no spinning, on the CPU. */
  public static OnnxOptions ofDefaults() {
    return new OnnxOptions(1, 1, false, Device.CPU, CudaOptions.ofDefaults());
  }

  /** These options on {@code device}, with {@code cuda} for the CUDA provider. */
  public OnnxOptions on(Device device, CudaOptions cuda) {
    return new OnnxOptions(intraOpThreads, interOpThreads, allowSpinning, device, cuda);
  }
}
