package io.sluice.bench;

import io.sluice.gateway.model.ListenerBenchmarks;
import io.sluice.gateway.monitor.MonitorBenchmarks;
import io.sluice.proto.inference.ModelConfigProto;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelInput;
import io.sluice.proto.inference.ModelConfigProto.ModelOutput;
import io.sluice.runtime.Tensor;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The drift monitor's costs per request. {@code tap}: what an event loop pays per successful
 * inference of iris (batch {@code rows} × 4 features in, label and 3 probabilities out): find the
 * version's plan, take a slot, copy 8 columns, hand off; the slot is returned right after, as
 * the monitor thread would. {@code tapOverBudget}: the same request once the version's budget
 * ({@code --drift-max-rate}, here 1,000 a second) is spent, as at saturation: plan,
 * rate limiter, counter. {@code windowUpdate}: what the monitor thread pays to file one such
 * request into a 1,000-row window of 8 numeric columns, scoring each window as it fills (exact
 * KS against 5,000 reference values, Wasserstein, PSI, JS), amortised over the requests.
 * {@code windowUpdateIris}: the same over iris's own 150-row profile (8 columns: exact KS
 * decides 7 of them) with the load test's fixed payload, as {@code loadtest/drift-overhead.sh}
 * runs it.
 */
@State(Scope.Benchmark)
public class DriftMonitorBenchmark extends SluiceBenchmark {
  @Param({"1", "32"})
  public int rows;

  private MonitorBenchmarks.Tap tap;
  private MonitorBenchmarks.Tap overBudget;
  private MonitorBenchmarks.Window window;
  private MonitorBenchmarks.Window irisWindow;

  @Setup(Level.Trial)
  public void setUp() {
    ModelConfig config = ModelConfig.newBuilder().setName("iris").setMaxBatchSize(32)
        .addInput(ModelInput.newBuilder().setName("float_input")
            .setDataType(ModelConfigProto.DataType.TYPE_FP32).addDims(4))
        .addOutput(ModelOutput.newBuilder().setName("label")
            .setDataType(ModelConfigProto.DataType.TYPE_INT64).addDims(1))
        .addOutput(ModelOutput.newBuilder().setName("probabilities")
            .setDataType(ModelConfigProto.DataType.TYPE_FP32).addDims(3))
        .build();
    float[] x = new float[rows * 4];
    float[] p = new float[rows * 3];
    long[] label = new long[rows];
    for (int i = 0; i < x.length; i++) {
      x[i] = 1 + i % 7;
    }
    tap = new MonitorBenchmarks.Tap(ListenerBenchmarks.version("iris", 1, config),
        List.of(Tensor.ofFloats("float_input", new long[] {rows, 4}, x)),
        List.of(Tensor.ofLongs("label", new long[] {rows, 1}, label),
            Tensor.ofFloats("probabilities", new long[] {rows, 3}, p)));
    overBudget = new MonitorBenchmarks.Tap(ListenerBenchmarks.version("iris", 2, config),
        List.of(Tensor.ofFloats("float_input", new long[] {rows, 4}, x)),
        List.of(Tensor.ofLongs("label", new long[] {rows, 1}, label),
            Tensor.ofFloats("probabilities", new long[] {rows, 3}, p)), 1000);
    window = new MonitorBenchmarks.Window(8, rows, 1000);
    try {
      irisWindow = new MonitorBenchmarks.Window(BenchModels.find("iris_classifier")
          .resolveSibling("reference_profile.json"), rows, 0.37, 1000);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Benchmark
  public int tap() {
    tap.onInference();
    return tap.drain();
  }

  @Benchmark
  public int tapOverBudget() {
    overBudget.onInference();
    return overBudget.drain();
  }

  @Benchmark
  public int windowUpdate() {
    window.add();
    return window.windows();
  }

  @Benchmark
  public int windowUpdateIris() {
    irisWindow.add();
    return irisWindow.windows();
  }
}
