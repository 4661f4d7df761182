package io.sluice.gateway.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.gateway.core.InferenceEvent;
import io.sluice.gateway.model.LoadedVersion;
import io.sluice.gateway.model.TestVersions;
import io.sluice.gateway.request.RequestContext;
import io.sluice.proto.inference.ModelConfigProto;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelInput;
import io.sluice.runtime.Tensor;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When the monitor thread steps: its period, and the early step a backed-up tap asks for. */
class DriftMonitorStepTest {
  /** Keeps the periodic step and the early ones for the test to run by hand. */
  private static final class HeldSteps extends ScheduledThreadPoolExecutor {
    final List<Runnable> early = new CopyOnWriteArrayList<>();
    long periodMillis;

    HeldSteps() {
      super(1);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable step, long initialDelay,
        long delay, TimeUnit unit) {
      periodMillis = unit.toMillis(delay);
      return super.schedule(() -> { }, 1, TimeUnit.DAYS);
    }

    @Override
    public void execute(Runnable step) {
      early.add(step);
    }
  }

  private final HeldSteps steps = new HeldSteps();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @AfterEach
  void stop() {
    steps.shutdownNow();
  }

  private static InferenceEvent event(LoadedVersion v) {
    return InferenceEvent.builder(v, InferenceEvent.Role.PRIMARY, RequestContext.ofId("r"))
        .inputs(List.of(Tensor.ofFloats("x", new long[] {1, 2}, 1f, 2f)))
        .outputs(List.of()).build();
  }

  @Test
  void aBackedUpTapGetsOneEarlyStepAtATimeAndTheStepDrainsIt() throws Exception {
    // 8 slots: a quarter is 2.
    DriftConfig config = new DriftConfig(true, 1000, 0, 0, 0, 1000, 0.05, 0.1, 0.5, 1000, 8,
        64, 0, null, null, null, 300, 3);
    DriftAlerts alerts = new DriftAlerts(config, meters, Clock.systemUTC(), steps, 10);
    DriftMonitor monitor = new DriftMonitor(config, null, Clock.systemUTC(), meters, steps,
        alerts, name -> "1");
    assertThat(steps.periodMillis).isEqualTo(DriftMonitor.STEP_MILLIS).isEqualTo(100);
    LoadedVersion v = TestVersions.of("m", 1, ModelConfig.newBuilder().setName("m")
        .setMaxBatchSize(8).addInput(ModelInput.newBuilder().setName("x")
            .setDataType(ModelConfigProto.DataType.TYPE_FP32).addDims(2)).build());

    monitor.onInference(event(v));
    assertThat(steps.early).as("one slot of 8 waiting").isEmpty();
    for (int i = 0; i < 5; i++) {
      monitor.onInference(event(v));
    }
    assertThat(steps.early).as("backed up from the second: one step queued, not five").hasSize(1);
    assertThat(monitor.monitors()).as("nothing filed before the step runs").isEmpty();

    steps.early.get(0).run();
    assertThat(monitor.monitors()).as("the step filed the waiting slots").hasSize(1);
    monitor.onInference(event(v));
    monitor.onInference(event(v));
    assertThat(steps.early).as("backed up again after that step: a second one").hasSize(2);
  }
}
