package io.sluice.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class DrainGateTest {
  private final DrainGate gate = new DrainGate();

  @Test
  void drainingWithNothingInFlightIsDrainedAtOnce() {
    assertThat(gate.beginDrain()).isCompleted();
    assertThat(gate.isDraining()).isTrue();
    assertThat(gate.tryEnter()).isFalse();
    assertThat(gate.inFlight()).isZero();
  }

  @Test
  void theDrainCompletesWhenTheLastAdmittedRequestIsAnswered() {
    assertThat(gate.tryEnter()).isTrue();
    assertThat(gate.tryEnter()).isTrue();
    CompletableFuture<Void> drained = gate.beginDrain();

    assertThat(gate.tryEnter()).as("admits nothing once draining").isFalse();
    assertThat(gate.inFlight()).isEqualTo(2);
    gate.exit();
    assertThat(drained).isNotDone();
    gate.exit();
    assertThat(drained).isCompleted();
    assertThat(gate.inFlight()).isZero();
  }

  @Test
  void beginDrainIsIdempotent() {
    assertThat(gate.tryEnter()).isTrue();
    CompletableFuture<Void> first = gate.beginDrain();
    assertThat(gate.beginDrain()).isSameAs(first);
    gate.exit();
    assertThat(first).isCompleted();
  }

  @Test
  void beforeDrainingRequestsComeAndGo() {
    for (int i = 0; i < 3; i++) {
      assertThat(gate.tryEnter()).isTrue();
      gate.exit();
    }
    assertThat(gate.isDraining()).isFalse();
    assertThat(gate.inFlight()).isZero();
  }
}
