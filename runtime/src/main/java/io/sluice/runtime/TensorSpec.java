package io.sluice.runtime;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a backend expects or produces for one tensor: name, datatype and shape, where -1 marks a
 * dimension of any size (the batch dimension included, when the model has one).
 */
public record TensorSpec(String name, DataType type, long[] shape) {
  public TensorSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Whether the first dimension is variable, so the backend can take a batch along it. */
  public boolean hasDynamicFirstDim() {
    return shape.length > 0 && shape[0] < 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t
        && name.equals(t.name)
        && type == t.type
        && Arrays.equals(shape, t.shape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, Arrays.hashCode(shape));
  }

  @Override
  public String toString() {
    return name + ":" + type + Arrays.toString(shape);
  }
}
