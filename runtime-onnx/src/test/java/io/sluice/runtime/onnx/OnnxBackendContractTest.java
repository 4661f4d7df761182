package io.sluice.runtime.onnx;

import io.sluice.runtime.Backend;
import io.sluice.runtime.BackendContract;
import io.sluice.runtime.Tensor;
import java.nio.file.Path;

/** ONNX Runtime on the CPU under the backend contract, with the committed tiny_mlp. */
class OnnxBackendContractTest extends BackendContract {
  @Override
  protected Backend open() {
    return OnnxBackend.open(Path.of("..", "examples", "model_repository", "tiny_mlp", "1",
        "model.onnx"), OnnxOptions.ofDefaults());
  }

  @Override
  protected Tensor input(int rows) {
    float[] v = new float[rows * 32];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i % 7) * 0.5f - (i / 32) * 0.3f;
    }
    return Tensor.ofFloats("input", new long[] {rows, 32}, v);
  }

  @Override
  protected int openNativeObjects() {
    return OnnxBackend.openNativeObjects();
  }
}
