package io.sluice.gateway.core;

import io.sluice.runtime.DataType;

/**
 * A tensor as model metadata shows it: shape starts with -1 when the model batches.
 */
public record TensorMetadata(String name, DataType datatype, long[] shape) {
  public TensorMetadata {
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }
}
