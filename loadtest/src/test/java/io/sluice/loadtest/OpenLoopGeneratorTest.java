package io.sluice.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OpenLoopGeneratorTest {
  private static final long MS = 1_000_000L;
  private final FakeTicker ticker = new FakeTicker();

  private Measurements.Snapshot run(Transport server, double rate, Window window, int limit)
      throws InterruptedException {
    return new OpenLoopGenerator(server, ticker, limit)
        .run(Arrival.CONSTANT, rate, 1, 0, window, 1_000 * MS);
  }

  @Test
  void aServerThatKeepsUpShowsItsServiceTime() throws InterruptedException {
    FifoServer server = new FifoServer(ticker, t -> MS / 2);

    Measurements.Snapshot s = run(server, 1_000, Window.ofSeconds(0, 1), 100);

    assertThat(s.scheduled()).isEqualTo(1_000);
    assertThat(s.succeeded()).isEqualTo(1_000);
    assertThat(s.errors()).isEmpty();
    assertThat(s.latencyNanos().getMaxValue()).isBetween(499_000L, 501_000L);
    assertThat(s.latencyNanos().getMinValue()).isBetween(499_000L, 501_000L);
  }

  @Test
  void aStallIsChargedToEveryRequestThatShouldHaveBeenSentDuringIt() throws InterruptedException {
    // The request due at 100 ms takes 200 ms; the others 0.5 ms. A generator that waited for
    // responses would record one slow sample; measured from intended times, the ~300 requests
    // due during the stall and the backlog after it are all slow.
    FifoServer server = new FifoServer(ticker, t -> t == 100 * MS ? 200 * MS : MS / 2);

    Measurements.Snapshot s = run(server, 1_000, Window.ofSeconds(0, 1), 1_000);

    assertThat(s.succeeded()).isEqualTo(1_000);
    assertThat(s.latencyNanos().getMaxValue()).isBetween(199 * MS, 201 * MS);
    assertThat(s.latencyNanos().getValueAtPercentile(75)).isGreaterThan(50 * MS);
    assertThat(s.latencyNanos().getValueAtPercentile(99)).isGreaterThan(150 * MS);
  }

  @Test
  void aLateSchedulerAddsItsLatenessToTheLatency() throws InterruptedException {
    FakeTicker late = new FakeTicker(300_000);
    FifoServer server = new FifoServer(late, t -> MS / 2);

    Measurements.Snapshot s =
        new OpenLoopGenerator(server, late, 100)
            .run(Arrival.CONSTANT, 100, 1, 0, Window.ofSeconds(0, 1), 1_000 * MS);

    assertThat(s.sendLagNanos().getValueAtPercentile(50)).isBetween(299_000L, 301_000L);
    assertThat(s.latencyNanos().getValueAtPercentile(50)).isBetween(799_000L, 801_000L);
  }

  @Test
  void requestsBeyondTheOutstandingLimitAreCountedAsErrorsNotSkipped()
      throws InterruptedException {
    FifoServer server = new FifoServer(ticker, t -> 5 * MS);

    Measurements.Snapshot s = run(server, 1_000, Window.ofSeconds(0, 0.1), 1);

    assertThat(s.scheduled()).isEqualTo(100);
    assertThat(s.succeeded()).isEqualTo(server.sent);
    assertThat(s.errors()).containsOnlyKeys(OpenLoopGenerator.NOT_SENT);
    assertThat(s.errors().get(OpenLoopGenerator.NOT_SENT)).isEqualTo(100 - server.sent);
    assertThat(server.sent).isBetween(19, 21);
  }

  @Test
  void warmUpRequestsAreSentButNotMeasured() throws InterruptedException {
    FifoServer server = new FifoServer(ticker, t -> MS / 10);

    Measurements.Snapshot s = run(server, 1_000, Window.ofSeconds(0.5, 0.5), 100);

    assertThat(server.sent).isEqualTo(1_000);
    assertThat(s.scheduled()).isEqualTo(500);
    assertThat(s.latencyNanos().getTotalCount()).isEqualTo(500);
  }

  @Test
  void requestsStillInFlightAfterTheDrainAreTimeouts() throws InterruptedException {
    FifoServer server = new FifoServer(ticker, t -> 60_000 * MS);

    Measurements.Snapshot s =
        new OpenLoopGenerator(server, ticker, 1_000)
            .run(Arrival.CONSTANT, 10, 1, 0, Window.ofSeconds(0, 1), 1_000 * MS);

    assertThat(s.succeeded()).isZero();
    assertThat(s.errors()).containsEntry(OpenLoopGenerator.TIMEOUT, 10L);
  }

  @Test
  void throughputCountsCompletionsInsideTheWindowOnly() throws InterruptedException {
    // Offered 1000/s to a server that does 500/s: completions in the window show the service
    // rate, not the offered rate.
    FifoServer server = new FifoServer(ticker, t -> 2 * MS);

    Measurements.Snapshot s = run(server, 1_000, Window.ofSeconds(0, 1), 10_000);

    assertThat(s.completedInWindow()).isBetween(499L, 501L);
  }
}
