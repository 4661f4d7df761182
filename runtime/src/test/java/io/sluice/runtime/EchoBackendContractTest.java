package io.sluice.runtime;

import java.util.List;

/** The echo stand-in under the backend contract: a 4-feature, 3-class signature. */
class EchoBackendContractTest extends BackendContract {
  @Override
  protected Backend open() {
    return new EchoBackend(new ModelSignature(
        List.of(new TensorSpec("features", DataType.FP32, new long[] {-1, 4})),
        List.of(new TensorSpec("scores", DataType.FP32, new long[] {-1, 3}),
            new TensorSpec("label", DataType.INT64, new long[] {-1}))));
  }

  @Override
  protected Tensor input(int rows) {
    float[] v = new float[rows * 4];
    for (int i = 0; i < v.length; i++) {
      v[i] = i * 0.25f;
    }
    return Tensor.ofFloats("features", new long[] {rows, 4}, v);
  }

  @Override
  protected boolean computes() {
    return false;
  }

  @Override
  protected boolean checksInputs() {
    return false;
  }
}
