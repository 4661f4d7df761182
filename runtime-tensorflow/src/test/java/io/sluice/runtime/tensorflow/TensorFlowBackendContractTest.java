package io.sluice.runtime.tensorflow;

import io.sluice.runtime.Backend;
import io.sluice.runtime.BackendContract;
import io.sluice.runtime.Tensor;
import java.nio.file.Path;

/** TensorFlow under the backend contract, with the committed tf_dense_classifier. */
class TensorFlowBackendContractTest extends BackendContract {
  @Override
  protected Backend open() {
    return TensorFlowBackend.open(Path.of("..", "examples", "tf_model_repository",
        "tf_dense_classifier", "1", "model.savedmodel"), TensorFlowOptions.ofDefaults());
  }

  @Override
  protected Tensor input(int rows) {
    float[] v = new float[rows * 4];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i % 5) * 0.4f - (i / 4) * 0.7f;
    }
    return Tensor.ofFloats("features", new long[] {rows, 4}, v);
  }

  @Override
  protected int openNativeObjects() {
    return TensorFlowBackend.openNativeObjects();
  }
}
