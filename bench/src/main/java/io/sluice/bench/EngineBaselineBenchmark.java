package io.sluice.bench;

import io.sluice.runtime.Backend;
import io.sluice.runtime.DataType;
import io.sluice.runtime.Device;
import io.sluice.runtime.Tensor;
import io.sluice.runtime.TensorSpec;
import io.sluice.runtime.onnx.CudaOptions;
import io.sluice.runtime.onnx.OnnxBackend;
import io.sluice.runtime.onnx.OnnxOptions;
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
 * B0, the engine limit: one in-process {@link OnnxBackend} call at a fixed batch size, with
 * nothing of the gateway around it. This is the ceiling the served model can approach and never
 * exceed (PERFORMANCE.md §5.1), so the session is built exactly as the gateway builds it, with
 * {@link OnnxOptions#ofDefaults()}: one intra-op thread, one inter-op thread, no spinning.
 *
 * <p>The input is one direct little-endian buffer of seeded random floats, built once, so ORT
 * wraps it without a copy and the measured call is what an instance thread pays per batch: the
 * signature check, the ORT run and the one copy of each output out of native memory. Items/s is
 * {@code batch / score}; {@code bench/run.sh} prints it. Before JMH's warm-up, setup runs the
 * model a few times so ORT's first-run work for this shape (arena growth, memory planning) is
 * not in any iteration.
 */
@State(Scope.Benchmark)
public class EngineBaselineBenchmark extends SluiceBenchmark {
  private static final int SETUP_RUNS = 3;

  /** tiny_mlp is committed; heavy_mlp and resnet18 come from {@code make_models.py --large}. */
  @Param({"tiny_mlp", "heavy_mlp", "resnet18"})
  public String model;

  @Param({"1", "2", "4", "8", "16", "32", "64"})
  public int batch;

  /**
   * {@code cpu}, or {@code cuda}: the CUDA execution provider on device 0, required (needs the
   * {@code -Pcuda} build and a GPU; {@code scripts/gpu-check.sh} passes {@code -p device=cuda}).
   */
  @Param({"cpu"})
  public String device = "cpu";

  private Backend backend;
  private List<Tensor> inputs;

  @Setup(Level.Trial)
  public void setUp() {
    OnnxOptions options = switch (device) {
      case "cpu" -> OnnxOptions.ofDefaults();
      case "cuda" -> OnnxOptions.ofDefaults().on(Device.cuda(0), CudaOptions.ofDefaults());
      default -> throw new IllegalArgumentException("device: " + device + " (expected: cpu, cuda)");
    };
    backend = OnnxBackend.open(BenchModels.find(model), options);
    List<TensorSpec> specs = backend.signature().inputs();
    if (specs.size() != 1 || specs.get(0).type() != DataType.FP32) {
      throw new IllegalStateException(
          model + " has inputs " + specs + " (expected: one FP32 input with a batch dimension)");
    }
    inputs = List.of(randomInput(specs.get(0), batch, model.hashCode()));
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

  /** A direct FP32 tensor of {@code spec}'s shape with dimension 0 set to {@code batch}. */
  static Tensor randomInput(TensorSpec spec, int batch, long seed) {
    long[] shape = spec.shape();
    if (!spec.hasDynamicFirstDim()) {
      throw new IllegalStateException(
          "input " + spec + " has no variable dimension 0 (expected: [-1, ...])");
    }
    shape[0] = batch;
    for (int d = 1; d < shape.length; d++) {
      if (shape[d] < 0) {
        throw new IllegalStateException(
            "input " + spec + " has a variable dimension " + d + " (expected: fixed after 0)");
      }
    }
    return BenchTensors.randomFp32(spec.name(), shape, seed, true);
  }
}
