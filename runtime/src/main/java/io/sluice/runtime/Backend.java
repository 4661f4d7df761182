package io.sluice.runtime;

import java.util.List;
import java.util.Set;

/**
 * One loaded instance of a model that runs a whole batch at a time. A scheduler owns its backends
 * and calls {@link #run} from one thread per instance; {@link #close} releases every native
 * resource the backend holds.
 */
public interface Backend extends AutoCloseable {

  /** The model's inputs and outputs as the engine reports them (-1 for a variable dimension). */
  ModelSignature signature();

  /**
   * Runs the model once.
   *
   * @param inputs one tensor per model input, matched by name; their buffers are not retained
   * @param outputs the outputs to compute; empty means all of them
   * @return the outputs in signature order, each backed by memory the caller now owns
   * @throws StatusException INVALID_ARGUMENT for inputs the engine cannot take, INTERNAL for an
   *     engine failure
   */
  List<Tensor> run(List<Tensor> inputs, Set<String> outputs);

  /**
   * Where this instance runs, {@link Device.Kind#AUTO} resolved to the CPU or a CUDA device, so
   * the gateway can report it in the model's configuration; the CPU unless an engine says so.
   */
  default Device device() {
    return Device.CPU;
  }

  @Override
  void close();
}
