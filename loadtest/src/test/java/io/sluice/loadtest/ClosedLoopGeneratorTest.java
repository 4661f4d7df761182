package io.sluice.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClosedLoopGeneratorTest {
  private static final long MS = 1_000_000L;
  private final FakeTicker ticker = new FakeTicker();

  @Test
  void oneLaneKeepsExactlyOneRequestInFlight() throws InterruptedException {
    FifoServer server = new FifoServer(ticker, t -> MS);

    Measurements.Snapshot s =
        new ClosedLoopGenerator(server, ticker, 1).run(0, Window.ofSeconds(0, 0.1), 10 * MS);

    assertThat(server.sent).isEqualTo(100);
    assertThat(s.succeeded()).isEqualTo(100);
    assertThat(s.latencyNanos().getMaxValue()).isBetween(999_000L, 1_001_000L);
  }

  @Test
  void moreLanesQueueBehindASingleWorkerAndSeeItInTheirLatency() throws InterruptedException {
    FifoServer server = new FifoServer(ticker, t -> MS);

    Measurements.Snapshot s =
        new ClosedLoopGenerator(server, ticker, 4).run(0, Window.ofSeconds(0.01, 0.1), 10 * MS);

    assertThat(s.completedInWindow()).isBetween(99L, 101L);
    assertThat(s.latencyNanos().getValueAtPercentile(50)).isBetween(3_990_000L, 4_010_000L);
  }
}
