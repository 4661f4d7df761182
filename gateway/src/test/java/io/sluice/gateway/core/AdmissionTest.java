package io.sluice.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.runtime.Status;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
  void aRefusalsCostRunsFromItsHeadToItsAnswerOnTheRegistrysClock() {
    MockClock clock = new MockClock();
    SimpleMeterRegistry timed = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    Admission door = new Admission(gate, 1, timed);

    long seenAt = door.refusalClock();
    clock.add(Duration.ofNanos(250_000));
    door.refusalAnswered("http", seenAt);
    seenAt = door.refusalClock();
    clock.add(Duration.ofMillis(3));
    door.refusalAnswered("grpc", seenAt);

    Timer http = timed.get("sluice_admission_reject").tag("protocol", "http").timer();
    Timer grpc = timed.get("sluice_admission_reject").tag("protocol", "grpc").timer();
    assertThat(http.count()).isEqualTo(1);
    assertThat(http.totalTime(TimeUnit.NANOSECONDS)).isEqualTo(250_000);
    assertThat(grpc.count()).isEqualTo(1);
    assertThat(grpc.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(3);
  }

  @Test
  void theRefusalCostHasABucketAtTheOneMillisecondTarget() {
    MockClock clock = new MockClock();
    SimpleMeterRegistry timed = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    Admission door = new Admission(gate, 1, timed);
    long seenAt = door.refusalClock();
    clock.add(Duration.ofNanos(400_000));
    door.refusalAnswered("http", seenAt);

    var buckets = timed.get("sluice_admission_reject").tag("protocol", "http").timer()
        .takeSnapshot().histogramCounts();
    assertThat(buckets).anySatisfy(b -> {
      assertThat(b.bucket(TimeUnit.MILLISECONDS)).isEqualTo(1.0);
      assertThat(b.count()).isEqualTo(1.0);
    });
  }

  @Test
  void aRefusalCostFromAnUnknownFrontEndIsAProgrammingError() {
    assertThatThrownBy(() -> admission.refusalAnswered("smtp", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("protocol: smtp (expected: http or grpc)");
  }

  @Test
  void aNegativeLimitIsRefusedAtStartUp() {
    assertThatThrownBy(() -> new Admission(gate, -1, registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxInFlight: -1 (expected: >= 0");
  }
}
