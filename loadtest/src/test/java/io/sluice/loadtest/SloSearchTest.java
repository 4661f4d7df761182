package io.sluice.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SloSearchTest {
  private final SloSearch search = new SloSearch(10_000, 0.001, 0.85, 8, 8, 4, 0);

  /** A server that meets a 10 ms p99 up to {@code capacity} and misses it above. */
  private static WindowResult window(double rate, double capacity) {
    double p99 = rate <= capacity ? 5_000 : 50_000;
    return result(rate, rate, p99, 0);
  }

  static WindowResult result(double rate, double throughput, double p99, long errors) {
    return new WindowResult(
        "search",
        "open",
        "poisson",
        rate,
        100,
        5,
        1_000,
        1_000 - errors,
        errors,
        errors / 1_000.0,
        errors == 0 ? Map.of() : Map.of("http_503", errors),
        throughput,
        new Latency(1_000 - errors, 1_000, 1_000, 2_000, p99, p99, p99),
        new Latency(1_000, 1, 1, 1, 1, 1, 1),
        new Latency(errors, 1, 1, 1, 1, 1, 1),
        1,
        0.2,
        null,
        Map.of(),
        null,
        Map.of(),
        Map.of());
  }

  @Test
  void doublesUpThenBisectsToJustBelowTheCapacity() throws InterruptedException {
    SloSearch.Outcome o = search.search(100, (rate, attempt) -> window(rate, 1_234));

    assertThat(o.sloRate()).isBetween(1_234 * 0.9, 1_234.0);
    assertThat(o.best().offeredRate()).isEqualTo(o.sloRate());
    assertThat(o.steps()).hasSize(5 + 4);
  }

  @Test
  void halvesDownWhenTheStartRateAlreadyMissesTheSlo() throws InterruptedException {
    SloSearch.Outcome o = search.search(1_000, (rate, attempt) -> window(rate, 300));

    assertThat(o.sloRate()).isBetween(300 * 0.9, 300.0);
  }

  @Test
  void reportsZeroWhenNothingMeetsTheSlo() throws InterruptedException {
    SloSearch.Outcome o = search.search(1_000, (rate, attempt) -> window(rate, 0));

    assertThat(o.sloRate()).isZero();
    assertThat(o.best()).isNull();
    assertThat(o.steps()).hasSize(1 + 8);
  }

  @Test
  void stopsHalvingAfterTheBoundWhenEvenLowRatesMiss() throws InterruptedException {
    SloSearch bounded = new SloSearch(10_000, 0.001, 0.85, 8, 3, 4, 0);

    SloSearch.Outcome o = bounded.search(1_000, (rate, attempt) -> window(rate, 0));

    assertThat(o.steps())
        .extracting(SloSearch.Step::rate)
        .containsExactly(1_000.0, 500.0, 250.0, 125.0);
  }

  @Test
  void aMissIsRepeatedAndARepeatThatPassesKeepsTheSearchGoing() throws InterruptedException {
    SloSearch retrying = new SloSearch(10_000, 0.001, 0.85, 8, 8, 0, 1);
    // The first window at 200/s hits a burst of foreign load; its repeat passes.
    SloSearch.Outcome o =
        retrying.search(
            100,
            (rate, attempt) ->
                rate == 200 && attempt == 0 ? result(rate, rate, 50_000, 0) : window(rate, 450));

    assertThat(o.sloRate()).isEqualTo(400);
    assertThat(o.steps())
        .extracting(SloSearch.Step::rate)
        .containsExactly(100.0, 200.0, 200.0, 400.0, 800.0, 800.0);
  }

  @Test
  void aWindowWithTooManyErrorsMissesEvenWithAGoodTail() {
    assertThat(search.meets(result(100, 100, 1_000, 1))).isFalse();
    assertThat(search.meets(result(100, 100, 1_000, 0))).isTrue();
  }

  @Test
  void aWindowWhoseServerFellBehindMissesEvenWithAGoodTail() {
    assertThat(search.meets(result(100, 80, 1_000, 0))).isFalse();
  }
}
