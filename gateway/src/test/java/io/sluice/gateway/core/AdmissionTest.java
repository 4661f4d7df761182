package io.sluice.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.runtime.Status;
import org.junit.jupiter.api.Test;

class AdmissionTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final DrainGate gate = new DrainGate();
  private final Admission admission = new Admission(gate, 2, registry);

  @Test
  void admitsWhileTheServerHoldsFewerThanTheLimit() {
    assertThat(admission.checkAdmission()).isNull();
    gate.tryEnter();
    assertThat(admission.checkAdmission()).isNull();
    assertThat(admission.refused()).isZero();
  }

  @Test
  void refusesAtTheLimitWithAnOverloadStatusAndCountsIt() {
    gate.tryEnter();
    gate.tryEnter();

    Status refusal = admission.checkAdmission();

    assertThat(refusal.code()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(refusal.retryAfterMillis()).isEqualTo(1000);
    assertThat(refusal.description()).contains("2 requests", "--max-inflight-requests");
    assertThat(admission.refused()).isEqualTo(1);
    assertThat(registry.get("sluice_requests_dropped").tag("reason", "inflight_limit")
        .counter().count()).isEqualTo(1);
  }

  @Test
  void checkingNeverTakesASlot() {
    gate.tryEnter();
    admission.checkAdmission();
    gate.tryEnter();
    admission.checkAdmission();
    admission.checkAdmission();

    assertThat(gate.inFlight()).as("only the gate's own entries count").isEqualTo(2);
  }

  @Test
  void admitsAgainOnceAnAnswerLeavesTheGate() {
    gate.tryEnter();
    gate.tryEnter();
    assertThat(admission.checkAdmission()).isNotNull();

    gate.exit();

    assertThat(admission.checkAdmission()).isNull();
  }

  @Test
  void zeroMeansNoLimit() {
    Admission unlimited = new Admission(gate, 0, registry);
    for (int i = 0; i < 10_000; i++) {
      gate.tryEnter();
    }
    assertThat(unlimited.checkAdmission()).isNull();
  }

  @Test
  void aNegativeLimitIsRefusedAtStartUp() {
    assertThatThrownBy(() -> new Admission(gate, -1, registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxInFlight: -1 (expected: >= 0");
  }
}
