package io.sluice.gateway.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.gateway.core.FeedbackResult;
import io.sluice.gateway.core.MonitorQueries.Label;
import io.sluice.gateway.model.Selection.Route;
import io.sluice.gateway.monitor.ColumnLayout.TensorColumns;
import io.sluice.gateway.monitor.ReferenceProfile.Role;
import io.sluice.runtime.DataType;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Ground truth joined by request id and scored on the (version, route) that answered. */
class FeedbackStoreTest {
  private static final ColumnLayout LAYOUT = new ColumnLayout(
      List.of(new TensorColumns("y", Role.OUTPUT, DataType.INT64, 1, 0)));
  private final Clock clock = Clock.fixed(Instant.ofEpochMilli(10_000), ZoneOffset.UTC);
  private final FeedbackStore store =
      new FeedbackStore(100, 60_000, clock, new SimpleMeterRegistry());
  private final VersionMonitor monitor = new VersionMonitor("m", "1", LAYOUT,
      DriftConfig.defaults(), null, Set.of(), r -> {});

  @Test
  void eachLabelScoresTheRouteItsPredictionCameFrom() {
    store.record("s1", monitor, Route.STABLE, 1, 9_000);
    store.record("s2", monitor, Route.STABLE, 2, 9_000);
    store.record("c1", monitor, Route.CANARY, 2, 9_000);
    FeedbackResult r = store.label("m",
        List.of(new Label("s1", 1), new Label("s2", 0), new Label("c1", 5)));
    assertThat(r.matched()).isEqualTo(3);

    VersionMonitor.Performance stable = monitor.performance(Route.STABLE);
    assertThat(stable.predictions.sum()).isEqualTo(2);
    assertThat(stable.labelled.sum()).isEqualTo(2);
    assertThat(stable.correct.sum()).isEqualTo(1);
    assertThat(stable.absError.sum()).isEqualTo(2.0);
    VersionMonitor.Performance canary = monitor.performance(Route.CANARY);
    assertThat(canary.predictions.sum()).isEqualTo(1);
    assertThat(canary.labelled.sum()).isEqualTo(1);
    assertThat(canary.correct.sum()).isZero();
    assertThat(canary.absError.sum()).isEqualTo(3.0);
    assertThat(monitor.performance(Route.PINNED).predictions.sum()).isZero();
  }

  @Test
  void anIdKeepsItsFirstPredictionAndItsFirstLabel() {
    store.record("a", monitor, Route.PINNED, 1, 9_000);
    store.record("a", monitor, Route.STABLE, 0, 9_000);
    FeedbackResult r = store.label("m", List.of(new Label("a", 1), new Label("a", 0)));
    assertThat(r.matched()).isEqualTo(1);
    assertThat(r.duplicate()).isEqualTo(1);
    assertThat(monitor.performance(Route.PINNED).correct.sum()).isEqualTo(1);
    assertThat(monitor.performance(Route.STABLE).predictions.sum()).isZero();
  }
}
