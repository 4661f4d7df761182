package io.sluice.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ArrivalScheduleTest {

  @Test
  void constantArrivalsAreEvenlySpacedFromTheStart() {
    ArrivalSchedule s = Arrival.CONSTANT.schedule(1000, 1, 5_000);

    assertThat(new long[] {s.next(), s.next(), s.next(), s.next()})
        .containsExactly(5_000, 1_005_000, 2_005_000, 3_005_000);
  }

  @Test
  void constantArrivalsDoNotDriftWhenTheIntervalIsNotWholeNanoseconds() {
    ArrivalSchedule s = Arrival.CONSTANT.schedule(3, 1, 0);
    long last = 0;
    for (int i = 0; i <= 3_000; i++) {
      last = s.next();
    }

    assertThat(last).isEqualTo(1_000_000_000_000L);
  }

  @Test
  void poissonArrivalsAreReproducibleForASeed() {
    ArrivalSchedule a = Arrival.POISSON.schedule(500, 7, 0);
    ArrivalSchedule b = Arrival.POISSON.schedule(500, 7, 0);

    for (int i = 0; i < 1_000; i++) {
      assertThat(a.next()).isEqualTo(b.next());
    }
  }

  @Test
  void poissonArrivalsStartAtTheStartAndNeverGoBackwards() {
    ArrivalSchedule s = Arrival.POISSON.schedule(10_000, 3, 42);
    long previous = s.next();

    assertThat(previous).isEqualTo(42);
    for (int i = 0; i < 10_000; i++) {
      long t = s.next();
      assertThat(t).isGreaterThanOrEqualTo(previous);
      previous = t;
    }
  }

  @Test
  void poissonArrivalsHaveTheRequestedMeanRateAndExponentialSpread() {
    int n = 200_000;
    ArrivalSchedule s = Arrival.POISSON.schedule(1_000, 11, 0);
    long previous = s.next();
    double sum = 0;
    double sumSquares = 0;
    for (int i = 0; i < n; i++) {
      long t = s.next();
      double gap = t - previous;
      sum += gap;
      sumSquares += gap * gap;
      previous = t;
    }
    double mean = sum / n;
    double cv = Math.sqrt(sumSquares / n - mean * mean) / mean;

    assertThat(mean).isCloseTo(1_000_000, within(10_000.0));
    // An exponential distribution has a coefficient of variation of 1; a constant one 0.
    assertThat(cv).isCloseTo(1.0, within(0.02));
  }

  @Test
  void aRateThatIsNotPositiveIsRejected() {
    assertThatThrownBy(() -> Arrival.POISSON.schedule(0, 1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rate: 0.0 (expected: > 0");
  }
}
