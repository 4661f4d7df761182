package io.sluice.gateway.monitor;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.gateway.core.InferenceEvent;
import io.sluice.gateway.model.LoadedVersion;
import io.sluice.gateway.monitor.ReferenceProfile.Column;
import io.sluice.gateway.monitor.ReferenceProfile.Dataset;
import io.sluice.gateway.monitor.ReferenceProfile.Role;
import io.sluice.gateway.request.RequestContext;
import io.sluice.runtime.Tensor;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The benchmark facade of the monitor (bench's {@code DriftMonitorBenchmark}): the tap as an
 * event loop calls it, and a window update as the monitor thread does it. Nothing else.
 */
public final class MonitorBenchmarks {
  private MonitorBenchmarks() {}

  /** The tap with its queues, fed one fixed event; {@link #drain} plays the monitor thread. */
  public static final class Tap {
    private final DriftTap tap;
    private final InferenceEvent event;

    /** Every request monitored (no budget). */
    public Tap(LoadedVersion version, List<Tensor> inputs, List<Tensor> outputs) {
      this(version, inputs, outputs, 0);
    }

    /**
     * @param maxRate the version's budget in records a second (0: none); a tight loop is far
     *     over any budget, so past its first permit every call is one left out and counted
     */
    public Tap(LoadedVersion version, List<Tensor> inputs, List<Tensor> outputs,
        double maxRate) {
      this.tap = new DriftTap(DriftConfig.defaults().withMaxRate(maxRate), Clock.systemUTC(),
          new SimpleMeterRegistry());
      this.event = InferenceEvent.builder(version, InferenceEvent.Role.PRIMARY,
          RequestContext.NONE).inputs(inputs).outputs(outputs).build();
    }

    /** One request through the tap: sample, take a slot, copy, hand off. */
    public void onInference() {
      tap.onInference(event);
    }

    /** Returns every handed-off slot; the rows they held. */
    public int drain() {
      int rows = 0;
      for (TapSlot s; (s = tap.poll()) != null; ) {
        rows += s.rows;
        tap.recycle(s);
      }
      return rows;
    }
  }

  /** One version's window over {@code features} N(0,1) columns, fed slots of {@code rows}. */
  public static final class Window {
    private final VersionMonitor monitor;
    private final TapSlot slot;
    private int windows;

    public Window(int features, int rows, int windowRows) {
      List<ColumnLayout.TensorColumns> tensors = List.of(new ColumnLayout.TensorColumns(
          "x", Role.INPUT, io.sluice.runtime.DataType.FP32, features, 0));
      SplittableRandom r = new SplittableRandom(1);
      List<Column> cols = new ArrayList<>();
      ProfileBuilder b = new ProfileBuilder(0);
      for (int f = 0; f < features; f++) {
        double[] x = new double[5000];
        for (int i = 0; i < x.length; i++) {
          x[i] = r.nextGaussian();
        }
        cols.add(b.numeric("x" + f, Role.INPUT, "x", f, x));
      }
      ProfileJson.Loaded profile = new ProfileJson.Loaded(new ReferenceProfile(
          ReferenceProfile.FORMAT, new Dataset("bench", 5000, null, "profile"), cols), "bench");
      DriftConfig config = DriftConfig.defaults().withWindow(windowRows, 0, 0, 0);
      monitor = new VersionMonitor("bench", "1", new ColumnLayout(tensors), config, profile,
          Set.of(), report -> windows++);
      slot = new TapSlot(rows * features, 1);
      slot.rows = rows;
      slot.tensorRows[0] = rows;
      for (int i = 0; i < rows * features; i++) {
        slot.values[i] = Double.doubleToRawLongBits(r.nextGaussian());
      }
    }

    /**
     * A window over a real profile ({@code reference_profile.json}: iris's 150 rows, so its
     * numeric columns are decided by exact KS), fed {@code rows}-row slots whose every column
     * holds {@code value}, as the load test's fixed payload does.
     */
    public Window(java.nio.file.Path profileFile, int rows, double value, int windowRows)
        throws java.io.IOException {
      ProfileJson.Loaded profile = ProfileJson.read(profileFile);
      List<ColumnLayout.TensorColumns> tensors = new ArrayList<>();
      int width = profile.profile().columns().size();
      tensors.add(new ColumnLayout.TensorColumns("x", Role.INPUT,
          io.sluice.runtime.DataType.FP32, width, 0));
      List<Column> cols = new ArrayList<>();
      for (int i = 0; i < width; i++) {
        Column c = profile.profile().columns().get(i);
        // One tensor "x" whose column i is the profile's column i, inputs and outputs alike.
        cols.add(new Column(c.name(), Role.INPUT, "x", i, c.kind(), c.count(), c.missing(),
            c.distinct(), c.min(), c.max(), c.mean(), c.std(), c.edges(), c.binCounts(),
            c.binSums(), c.decileEdges(), c.decileCounts(), c.sample(), c.categories(),
            c.other()));
      }
      DriftConfig config = DriftConfig.defaults().withWindow(windowRows, 0, 0, 0);
      monitor = new VersionMonitor("bench", "1", new ColumnLayout(tensors), config,
          new ProfileJson.Loaded(new ReferenceProfile(ReferenceProfile.FORMAT,
              profile.profile().dataset(), cols), profile.hash()),
          Set.of(), report -> windows++);
      slot = new TapSlot(rows * width, 1);
      slot.rows = rows;
      slot.tensorRows[0] = rows;
      java.util.Arrays.fill(slot.values, 0, rows * width, Double.doubleToRawLongBits(value));
    }

    /** Files one slot (scoring the window whenever it fills). */
    public void add() {
      monitor.add(slot);
    }

    public int windows() {
      return windows;
    }
  }
}
