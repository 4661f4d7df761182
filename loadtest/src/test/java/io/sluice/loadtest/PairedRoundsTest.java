package io.sluice.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PairedRoundsTest {
  private final Window warmup = Window.ofSeconds(29, 1);
  private final Window measured = Window.ofSeconds(1, 5);
  private final List<String> calls = new ArrayList<>();

  /** A side that records each call and answers with the call's number as its throughput. */
  private WindowResult window(String side, String label, Window window) {
    calls.add(side + ":" + label + ":" + (window == warmup ? "warmup" : "measured"));
    return result(label, calls.size());
  }

  private static WindowResult result(String label, double throughput) {
    return new WindowResult(label, "closed", "none", 0, 64, 5, 0, 1, 0, 0, Map.of(), throughput,
        null, null, null, 0, 0, null, Map.of(), null, Map.of(), Map.of());
  }

  @Test
  void eachSideWarmsUpOnceThenTheOrderAlternatesRoundByRound() throws InterruptedException {
    List<PairedRounds.Pair> pairs = new PairedRounds(this::window, warmup, measured).run(3);

    assertThat(calls).containsExactly(
        "a:warmup:warmup", "b:warmup:warmup",
        "b:round-1:measured", "a:round-1:measured",
        "a:round-2:measured", "b:round-2:measured",
        "b:round-3:measured", "a:round-3:measured");
    assertThat(pairs).extracting(PairedRounds.Pair::round).containsExactly(1, 2, 3);
    assertThat(pairs).extracting(PairedRounds.Pair::first).containsExactly("b", "a", "b");
  }

  @Test
  void aPairHoldsEachSidesOwnWindowOfThatRoundAndNoWarmUp() throws InterruptedException {
    List<PairedRounds.Pair> pairs = new PairedRounds(this::window, warmup, measured).run(2);

    // calls 3 (b) and 4 (a) are round 1; 5 (a) and 6 (b) round 2
    assertThat(pairs.get(0).a().throughputRps()).isEqualTo(4);
    assertThat(pairs.get(0).b().throughputRps()).isEqualTo(3);
    assertThat(pairs.get(1).a().throughputRps()).isEqualTo(5);
    assertThat(pairs.get(1).b().throughputRps()).isEqualTo(6);
    assertThat(pairs).allSatisfy(p -> {
      assertThat(p.a().label()).isEqualTo("round-" + p.round());
      assertThat(p.b().label()).isEqualTo("round-" + p.round());
    });
  }
}
