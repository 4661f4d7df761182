package io.sluice.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.gateway.registry.AliasRollout;
import io.sluice.gateway.routing.TrafficPolicy.Candidate;
import io.sluice.registry.mlflow.MlflowException;
import java.io.StringWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The alias-driven flow on a {@link ManualScheduler}: the challenger's move starts a shadow,
 * then the steps, each a policy in the table; the end is written back through a recording
 * {@link AliasRollout.Writer}. No sleep, no real clock: time moves by {@code advance}.
 */
class AliasRolloutFlowTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final ManualScheduler scheduler = new ManualScheduler();
  private final Routing routing = new Routing(meters, Clock.systemUTC(), () -> 0.5, scheduler,
      Runnable::run, null, 16, 4, null, Runnable::run);
  private final TrafficTable table = routing.table();
  private final List<String> writes = new ArrayList<>();
  private MlflowException refusal;

  private final AliasRollout.Writer writer = new AliasRollout.Writer() {
    @Override
    public void moveAlias(String model, String alias, String version) throws MlflowException {
      writes.add("alias " + model + " " + alias + "=" + version);
      if (refusal != null) {
        throw refusal;
      }
    }

    @Override
    public void tagVersion(String model, String version, String key, String value)
        throws MlflowException {
      writes.add("tag " + model + " " + version + " " + key + "=" + value);
      if (refusal != null) {
        throw refusal;
      }
    }
  };

  private AliasRollout rollout(boolean writeBack) {
    // Registry calls run at once on the test's thread: the order is the test's.
    return new AliasRollout(routing, writer, "champion",
        new AliasRollout.Plan(10, 20, List.of(5.0, 25.0, 50.0), writeBack), Runnable::run,
        meters);
  }

  private JsonNode status() throws Exception {
    StringWriter out = new StringWriter();
    try (var g = new ObjectMapper().getFactory().createGenerator(out)) {
      g.writeStartObject();
      routing.rolloutsForTest().write("m", g);
      g.writeEndObject();
    }
    return new ObjectMapper().readTree(out.toString()).get("rollout");
  }

  private double canaryWeight() {
    List<Candidate> c = table.state("m").policy().candidates();
    return c.isEmpty() ? -1 : c.get(0).weight();
  }

  private double gauge(String name) {
    Gauge g = meters.find(name).tag("model", "m").gauge();
    return g == null ? -1 : g.value();
  }

  private double outcomes(String outcome) {
    var c = meters.find("sluice_alias_rollouts").tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void aChallengerThatPassesEveryStepIsPromotedAndTheChampionAliasMoved() throws Exception {
    rollout(true).moved("m", 1, 2);
    assertThat(status().get("phase").asText()).isEqualTo("shadow");
    assertThat(table.state("m").policy().shadows()).extracting(TrafficPolicy.Shadow::version)
        .containsExactly(2L);
    assertThat(canaryWeight()).isZero();
    scheduler.advance(9);
    assertThat(status().get("phase").asText()).as("the shadow window is 10 s").isEqualTo("shadow");
    scheduler.advance(1);
    assertThat(canaryWeight()).isEqualTo(5.0);
    scheduler.advance(20);
    assertThat(canaryWeight()).isEqualTo(25.0);
    scheduler.advance(20);
    assertThat(canaryWeight()).isEqualTo(50.0);
    assertThat(writes).as("nothing written before the end").isEmpty();
    scheduler.advance(20);
    assertThat(table.state("m").policy().stable()).isEqualTo(2);
    assertThat(status().get("outcome").asText()).isEqualTo("promoted");
    assertThat(writes).containsExactly("alias m champion=2");
    assertThat(status().get("registry").asText()).contains("champion moved to version 2");
    assertThat(gauge("sluice_rollout_ready_to_promote")).isZero();
    assertThat(outcomes("promoted")).isEqualTo(1);
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void aGuardTrippingInAStepRollsBackAndTagsTheVersionWithTheReason() throws Exception {
    rollout(true).moved("m", 1, 2);
    scheduler.advance(10 + 20);
    assertThat(canaryWeight()).isEqualTo(25.0);
    table.rollback("m", 2, "error_rate", "failure rate 50.0% over 20 calls");
    scheduler.advance(20);
    assertThat(table.state("m").policy().stable()).as("stable stays").isEqualTo(1);
    String outcome = status().get("outcome").asText();
    assertThat(outcome).startsWith("rolled back in canary 25.0%: error_rate")
        .contains("failure rate 50.0%");
    assertThat(writes).containsExactly("tag m 2 sluice.rollback=" + outcome);
    assertThat(status().get("registry").asText()).contains("tagged version 2");
    assertThat(outcomes("rolled_back")).isEqualTo(1);
    assertThat(scheduler.pending()).as("no further step").isZero();
  }

  @Test
  void aRefusedAliasMoveIsReportedAsReadyToPromote() throws Exception {
    refusal = new MlflowException(403, "PERMISSION_DENIED", "no EDIT permission on 'm'");
    rollout(true).moved("m", 1, 7);
    scheduler.advance(10 + 3 * 20);
    assertThat(table.state("m").policy().stable()).as("the gateway serves the winner").isEqualTo(7);
    assertThat(status().get("registry").asText()).startsWith("ready to promote")
        .contains("no EDIT permission");
    assertThat(gauge("sluice_rollout_ready_to_promote")).isEqualTo(7);
  }

  @Test
  void withoutWriteBackNothingIsWrittenAndThePassIsReadyToPromote() throws Exception {
    rollout(false).moved("m", 1, 2);
    scheduler.advance(10 + 3 * 20);
    assertThat(writes).isEmpty();
    assertThat(status().get("registry").asText()).startsWith("ready to promote")
        .contains("--mlflow-promote is false");
    assertThat(gauge("sluice_rollout_ready_to_promote")).isEqualTo(2);
  }

  @Test
  void anOperatorsPolicyInBetweenSupersedesTheRolloutAndNothingIsWritten() throws Exception {
    rollout(true).moved("m", 1, 2);
    scheduler.advance(10);
    table.put("m", new TrafficPolicy(1, List.of(), List.of(), null, GuardConfig.ofDefaults(),
        TrafficPolicy.Comparison.ofDefaults()));
    scheduler.advance(20);
    assertThat(status().get("outcome").asText()).startsWith("superseded");
    assertThat(writes).isEmpty();
    assertThat(outcomes("superseded")).isEqualTo(1);
  }

  @Test
  void aSecondMoveWhileOneRunsDoesNotStartAnother() throws Exception {
    AliasRollout r = rollout(true);
    r.moved("m", 1, 2);
    r.moved("m", 1, 3);
    assertThat(status().get("candidate").asText()).isEqualTo("2");
    assertThat(outcomes("not_started")).isEqualTo(1);
  }
}
