package io.sluice.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.gateway.core.InferenceEvent;
import io.sluice.gateway.model.LoadedVersion;
import io.sluice.gateway.model.Selection;
import io.sluice.gateway.model.TestVersions;
import io.sluice.gateway.request.RequestContext;
import io.sluice.gateway.routing.TrafficPolicy.Candidate;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.runtime.Status;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The guards fed as the completion pipeline feeds them, with the latency windows moved by
 * explicit ticks: no clock, no sleep.
 */
class GuardsTest {
  private static final ModelConfig CONFIG = ModelConfig.newBuilder().setName("m").build();
  private final LoadedVersion stable = TestVersions.of("m", 1, CONFIG);
  private final LoadedVersion canary = TestVersions.of("m", 2, CONFIG);
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final TrafficTable table = new TrafficTable(meters, Clock.systemUTC(), () -> 0.5, null);
  private final GuardListener listener = new GuardListener(table);

  private void put(GuardConfig guards) {
    table.put("m", new TrafficPolicy(1, List.of(new Candidate(2, 10)), List.of(), null, guards,
        TrafficPolicy.Comparison.ofDefaults()));
  }

  private static GuardConfig guards(boolean breaker, boolean latency) {
    return new GuardConfig(breaker, 20, 80, Duration.ofSeconds(1), 50, 20,
        latency, 1.5, Duration.ofMillis(20), 100, 10);
  }

  private void answer(LoadedVersion v, Selection.Route route, Status status, long millis) {
    listener.onInference(InferenceEvent.builder(v, InferenceEvent.Role.PRIMARY,
        RequestContext.NONE).status(status).totalNanos(millis * 1_000_000).route(route).build());
  }

  private double rollbacks(String reason) {
    var c = meters.find("sluice_rollbacks").tag("version", "2").tag("reason", reason).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void halfOfTheCanarysAnswersFailingTripsTheBreakerAndRollsItBack() {
    put(guards(true, false));
    for (int i = 0; i < 19; i++) {
      answer(canary, Selection.Route.CANARY, i % 2 == 0 ? Status.unavailable("x") : null, 1);
    }
    assertThat(table.state("m").isRolledBack(2)).as("below the minimum calls").isFalse();
    answer(canary, Selection.Route.CANARY, null, 1);
    assertThat(table.state("m").rolledBack().get(2L).reason()).isEqualTo("error_rate");
    assertThat(rollbacks("error_rate")).isEqualTo(1);
  }

  @Test
  void badRequestsSayNothingAboutTheCandidate() {
    put(guards(true, false));
    for (int i = 0; i < 100; i++) {
      answer(canary, Selection.Route.CANARY, Status.invalidArgument("bad input"), 1);
    }
    assertThat(table.state("m").isRolledBack(2)).isFalse();
  }

  @Test
  void aHealthyCanaryStays() {
    put(guards(true, true));
    for (int t = 0; t < 5; t++) {
      for (int i = 0; i < 100; i++) {
        answer(stable, Selection.Route.STABLE, null, 2);
        answer(canary, Selection.Route.CANARY, null, 3);
      }
      table.tick();
    }
    assertThat(table.state("m").rolledBack()).isEmpty();
  }

  @Test
  void aCanaryFiftyMillisecondsSlowerIsRolledBackOnTheLatencyGuard() {
    put(guards(false, true));
    for (int i = 0; i < 100; i++) {
      answer(stable, Selection.Route.STABLE, null, 2);
      answer(canary, Selection.Route.CANARY, null, 52);
    }
    table.tick();
    assertThat(table.state("m").rolledBack().get(2L).reason()).isEqualTo("latency_p99");
    assertThat(rollbacks("latency_p99")).isEqualTo(1);
  }

  @Test
  void theLatencyGuardWaitsForItsMinimumSamples() {
    put(guards(false, true));
    for (int i = 0; i < 99; i++) {
      answer(stable, Selection.Route.STABLE, null, 2);
      answer(canary, Selection.Route.CANARY, null, 52);
    }
    table.tick();
    assertThat(table.state("m").isRolledBack(2)).isFalse();
  }

  @Test
  void theLatencyWindowForgetsTicksThatSlidOut() {
    put(guards(false, true));
    for (int i = 0; i < 100; i++) {
      answer(canary, Selection.Route.CANARY, null, 52);
    }
    // Stable too quiet for the guard: the slow ticks slide out before it has samples.
    for (int t = 0; t < 10; t++) {
      table.tick();
    }
    for (int i = 0; i < 200; i++) {
      answer(stable, Selection.Route.STABLE, null, 2);
      answer(canary, Selection.Route.CANARY, null, 3);
    }
    table.tick();
    assertThat(table.state("m").isRolledBack(2)).isFalse();
  }
}
