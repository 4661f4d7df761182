package io.sluice.loadtest;

import java.util.function.LongUnaryOperator;

/**
 * A simulated single-worker FIFO server on a {@link FakeTicker}: each request takes the service
 * time the function gives for its arrival time (so a test can inject a stall), one at a time.
 */
final class FifoServer implements Transport {
  private final FakeTicker ticker;
  private final LongUnaryOperator serviceNanosAt;
  private long freeAt;
  int sent;

  FifoServer(FakeTicker ticker, LongUnaryOperator serviceNanosAt) {
    this.ticker = ticker;
    this.serviceNanosAt = serviceNanosAt;
  }

  @Override
  public void send(Completion completion) {
    sent++;
    long arrival = ticker.nanoTime();
    long begin = Math.max(arrival, freeAt);
    freeAt = begin + serviceNanosAt.applyAsLong(arrival);
    ticker.schedule(freeAt, () -> completion.complete(null));
  }

  @Override
  public String describe() {
    return "fifo";
  }

  @Override
  public void close() {}
}
