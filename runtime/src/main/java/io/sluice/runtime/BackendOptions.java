package io.sluice.runtime;

import java.util.Map;

/**
 * How one backend instance is opened, in terms every engine understands. A {@link
 * BackendProvider} turns this into its engine's own typed options, reading the engine-specific
 * keys it knows from {@link #parameters()} (for ONNX Runtime, Triton's {@code
 * intra_op_thread_count} and {@code inter_op_thread_count}) and ignoring the rest.
 *
 * @param device where the instance runs
 * @param intraOpThreads threads inside one operator, unless the model's parameters say otherwise;
 *     1 on a small machine, so that instances and event loops do not fight over cores
 * @param interOpThreads threads across independent operators, likewise
 * @param allowSpinning whether idle engine threads spin; off by default, since spinning threads
 *     steal the event loops' CPU
 * @param parameters the model's {@code config.pbtxt} parameters as strings (key to {@code
 *     string_value}), copied
 */
public record BackendOptions(
    Device device,
    int intraOpThreads,
    int interOpThreads,
    boolean allowSpinning,
    Map<String, String> parameters) {

  public BackendOptions {
    if (device == null) {
      throw new IllegalArgumentException("device: null (expected: Device.CPU or Device.cuda(id))");
    }
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intraOpThreads: " + intraOpThreads + " (expected: > 0)");
    }
    if (interOpThreads < 1) {
      throw new IllegalArgumentException("interOpThreads: " + interOpThreads + " (expected: > 0)");
    }
    if (parameters == null) {
      throw new IllegalArgumentException("parameters: null (expected: a map, maybe empty)");
    }
    parameters = Map.copyOf(parameters);
  }

  /** The CPU, one intra-op and one inter-op thread, no spinning, no parameters. */
  public static BackendOptions ofDefaults() {
    return new BackendOptions(Device.CPU, 1, 1, false, Map.of());
  }

  /** These options on {@code device}. */
  public BackendOptions withDevice(Device device) {
    return new BackendOptions(device, intraOpThreads, interOpThreads, allowSpinning, parameters);
  }

  /** These options with a model's {@code parameters}. */
  public BackendOptions withParameters(Map<String, String> parameters) {
    return new BackendOptions(device, intraOpThreads, interOpThreads, allowSpinning, parameters);
  }
}
