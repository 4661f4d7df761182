package io.sluice.runtime.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import io.sluice.runtime.Device;
import io.sluice.runtime.Status;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a session on the device its model asked for. {@link Device.Kind#CPU}: ORT's default CPU
 * provider, nothing added. {@link Device.Kind#CUDA} (Triton's {@code KIND_GPU}): the CUDA
 * execution provider, or an UNAVAILABLE that names what is missing (no CUDA provider in this ORT
 * build, or ORT's own reason it could not start on that device) so that model's load fails and
 * no other. {@link Device.Kind#AUTO} ({@code KIND_AUTO}, or no instance group): CUDA when this
 * build lists the provider and adding it succeeds, else the CPU, logged either way. The set of
 * available providers and the act of adding CUDA are injected, so the choice is tested on a
 * machine without a GPU.
 */
final class ExecutionProviders {
  private static final Logger logger = LoggerFactory.getLogger(ExecutionProviders.class);

  /** Adds ORT's CUDA execution provider to session options. */
  @FunctionalInterface
  interface CudaAdder {
    void add(SessionOptions so, CudaOptions cuda) throws OrtException;
  }

  private final Supplier<Set<OrtProvider>> available;
  private final CudaAdder cudaAdder;

  ExecutionProviders(Supplier<Set<OrtProvider>> available, CudaAdder cudaAdder) {
    this.available = Objects.requireNonNull(available, "available");
    this.cudaAdder = Objects.requireNonNull(cudaAdder, "cudaAdder");
  }

  /** The providers of the ORT library loaded in this process. */
  static ExecutionProviders ofRuntime() {
    return new ExecutionProviders(
        OrtEnvironment::getAvailableProviders, ExecutionProviders::addCuda);
  }

  /**
   * Adds the provider {@code device} calls for to {@code so} and returns where the session will
   * run: {@link Device#CPU} or {@link Device#cuda(int)}, never AUTO.
   *
   * @param model names the model in log lines and errors
   * @throws io.sluice.runtime.StatusException UNAVAILABLE when CUDA is required and cannot be used
   */
  Device apply(SessionOptions so, Device device, CudaOptions cuda, String model) {
    if (device.kind() == Device.Kind.CPU) {
      return Device.CPU;
    }
    Set<OrtProvider> providers = available.get();
    if (!providers.contains(OrtProvider.CUDA)) {
      String why = "this ONNX Runtime build has no CUDA execution provider (available: "
          + providers + ")";
      if (device.isAuto()) {
        logger.info("{}: on the CPU; {}", model, why);
        return Device.CPU;
      }
      throw Status.unavailable(
              model + ": KIND_GPU was requested but " + why + "; build with -Pcuda"
                  + " (onnxruntime_gpu) or use the image's cuda target, or set KIND_CPU")
          .asException();
    }
    try {
      cudaAdder.add(so, cuda);
    } catch (OrtException | RuntimeException e) {
      String why = "cannot start the CUDA execution provider on device " + cuda.deviceId() + ": "
          + e.getMessage()
          + " (it needs an NVIDIA GPU and driver, and CUDA 12 and cuDNN 9 on the library path)";
      if (device.isAuto()) {
        logger.info("{}: on the CPU; {}", model, why);
        return Device.CPU;
      }
      throw Status.unavailable(model + ": " + why).withCause(e).asException();
    }
    logger.info("{}: on the CUDA execution provider, device {}{}", model, cuda.deviceId(),
        cuda.providerOptions().isEmpty() ? "" : " " + cuda.providerOptions());
    return Device.cuda(cuda.deviceId());
  }

  private static void addCuda(SessionOptions so, CudaOptions cuda) throws OrtException {
    try (OrtCUDAProviderOptions options = new OrtCUDAProviderOptions(cuda.deviceId())) {
      for (Map.Entry<String, String> e : cuda.providerOptions().entrySet()) {
        options.add(e.getKey(), e.getValue());
      }
      so.addCUDA(options);
    }
  }
}
