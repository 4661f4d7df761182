package io.sluice.bench;

import io.sluice.runtime.Backend;
import io.sluice.runtime.Tensor;
import io.sluice.runtime.TensorSpec;
import io.sluice.runtime.tensorflow.TensorFlowBackend;
import io.sluice.runtime.tensorflow.TensorFlowOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * B0 for TensorFlow: one in-process {@link TensorFlowBackend} call at a fixed batch size, the
 * session built as the gateway builds it ({@link TensorFlowOptions#ofDefaults()}: one intra-op
 * and one inter-op thread). The measured call is what an instance thread pays per batch: the
 * signature check, the one bulk copy of the input into TensorFlow's memory, the session run and
 * the one copy of each output out. The model is the committed {@code tf_dense_classifier}
 * (examples/tf_model_repository), found relative to the working directory as the ONNX baseline
 * finds its models.
 */
@State(Scope.Benchmark)
public class TensorFlowBaselineBenchmark extends SluiceBenchmark {
  private static final int SETUP_RUNS = 3;

  @Param({"tf_dense_classifier"})
  public String model;

  @Param({"1", "8", "32"})
  public int batch;

  private Backend backend;
  private List<Tensor> inputs;

  @Setup(Level.Trial)
  public void setUp() {
    Path dir = Paths.get("examples", "tf_model_repository", model, "1", "model.savedmodel")
        .toAbsolutePath();
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("SKIPPED: no SavedModel at " + dir
          + " (run the benchmarks from the repository root)");
    }
    backend = TensorFlowBackend.open(dir, TensorFlowOptions.ofDefaults());
    TensorSpec spec = backend.signature().inputs().get(0);
    inputs = List.of(EngineBaselineBenchmark.randomInput(spec, batch, model.hashCode()));
    for (int i = 0; i < SETUP_RUNS; i++) {
      backend.run(inputs, Set.of());
    }
  }

  @Benchmark
  public List<Tensor> run() {
    return backend.run(inputs, Set.of());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (backend != null) {
      backend.close();
      backend = null;
    }
  }
}
