package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The tensors a registry says a version takes and gives (MLflow's {@code signature} in {@code
 * MLmodel}); the gateway checks the graph against it and refuses the version on a mismatch.
 *
 * @param inputs in order; a tensor without a name is matched by position
 * @param outputs in order; likewise
 */
public record DeclaredSignature(List<Tensor> inputs, List<Tensor> outputs) {

  public DeclaredSignature {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  /**
   * One declared tensor.
   *
   * @param name empty when the registry recorded none
   * @param dtype numpy's name for the element type ({@code float32}, {@code int64}, {@code str})
   * @param shape -1 for a variable dimension
   */
  public record Tensor(Optional<String> name, String dtype, long[] shape) {
    public Tensor {
      requireNonNull(name, "name");
      requireNonNull(dtype, "dtype");
      shape = shape.clone();
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Tensor t
          && name.equals(t.name)
          && dtype.equals(t.dtype)
          && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() {
      return name.hashCode() * 31 + dtype.hashCode() * 7 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
      return name.orElse("?") + ":" + dtype + Arrays.toString(shape);
    }
  }
}
