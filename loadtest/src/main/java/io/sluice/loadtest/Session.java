package io.sluice.loadtest;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs measured windows against one transport and turns each into a {@link WindowResult}: the
 * generator's latencies plus client CPU, server CPU and the batch sizes the server formed.
 *
 * <p>CPU and statistics are sampled by a helper thread exactly at the window's start and end, not
 * by the scheduler thread, so a slow statistics call never delays a send.
 */
final class Session implements AutoCloseable {
  private final Transport transport;
  private final Ticker ticker;
  private final CpuTime clientCpu;
  private final CpuTime serverCpu;
  private final Stats stats;
  private final long drainNanos;
  private final ScheduledExecutorService sampler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "loadtest-sampler");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param serverCpu null when the server's CPU is not measured
   * @param stats null when the server's statistics are not read
   */
  Session(
      Transport transport,
      Ticker ticker,
      CpuTime clientCpu,
      CpuTime serverCpu,
      Stats stats,
      long drainNanos) {
    this.transport = transport;
    this.ticker = ticker;
    this.clientCpu = clientCpu;
    this.serverCpu = serverCpu;
    this.stats = stats;
    this.drainNanos = drainNanos;
  }

  /** The server's cumulative statistics: over HTTP ({@link ServerStats}) or in process. */
  @FunctionalInterface
  interface Stats {
    ServerStats.Snapshot snapshot();
  }

  Transport transport() {
    return transport;
  }

  WindowResult open(
      String label, Arrival arrival, double rate, long seed, Window window, int maxOutstanding)
      throws InterruptedException {
    long start = ticker.nanoTime() + 1_000_000L;
    Samples samples = sampleAround(start, window);
    Measurements.Snapshot s =
        new OpenLoopGenerator(transport, ticker, maxOutstanding)
            .run(arrival, rate, seed, start, window, drainNanos);
    return result(
        label, "open", arrival.name().toLowerCase(), rate, maxOutstanding, window, s, samples);
  }

  WindowResult closed(String label, int concurrency, Window window) throws InterruptedException {
    long start = ticker.nanoTime() + 1_000_000L;
    Samples samples = sampleAround(start, window);
    Measurements.Snapshot s =
        new ClosedLoopGenerator(transport, ticker, concurrency).run(start, window, drainNanos);
    return result(label, "closed", "none", 0, concurrency, window, s, samples);
  }

  private WindowResult result(
      String label,
      String mode,
      String arrival,
      double rate,
      int concurrency,
      Window window,
      Measurements.Snapshot s,
      Samples samples)
      throws InterruptedException {
    Sample begin = await(samples.begin());
    Sample end = await(samples.end());
    long errors = s.errorCount();
    double seconds = window.durationSeconds();
    double clientCpuS = (end.clientCpu - begin.clientCpu) / 1e9;
    Double serverCpuPerRequest =
        serverCpu == null || begin.serverCpu < 0 || end.serverCpu < 0 || s.completedInWindow() == 0
            ? null
            : Math.round((end.serverCpu - begin.serverCpu) / 1e2 / s.completedInWindow()) / 10.0;
    ServerStats.Snapshot server = end.stats.minus(begin.stats);
    Map<Integer, Long> batches = server.executions();
    return new WindowResult(
        label,
        mode,
        arrival,
        rate,
        concurrency,
        seconds,
        s.scheduled(),
        s.succeeded(),
        errors,
        s.scheduled() == 0 ? 0 : (double) errors / s.scheduled(),
        s.errors(),
        Math.round(10 * s.completedInWindow() / seconds) / 10.0,
        Latency.ofNanos(s.latencyNanos()),
        Latency.ofNanos(s.sendLagNanos()),
        Latency.ofNanos(s.errorLatencyNanos()),
        Math.round(clientCpuS * 1000) / 1000.0,
        Math.round(1000 * clientCpuS / seconds) / 1000.0,
        serverCpuPerRequest,
        batches,
        WindowResult.meanBatchSize(batches),
        server.inferMicrosPerExecution(),
        server.stageMicrosPerRequest());
  }

  private Samples sampleAround(long start, Window window) {
    long now = ticker.nanoTime();
    long toBegin = start + window.warmupNanos() - now;
    long toEnd = toBegin + window.durationNanos();
    return new Samples(
        sampler.schedule(this::sample, toBegin, TimeUnit.NANOSECONDS),
        sampler.schedule(this::sample, toEnd, TimeUnit.NANOSECONDS));
  }

  private Sample sample() {
    return new Sample(
        clientCpu.nanos(),
        serverCpu == null ? -1 : serverCpu.nanos(),
        stats == null ? ServerStats.Snapshot.EMPTY : stats.snapshot());
  }

  @Override
  public void close() {
    sampler.shutdownNow();
    transport.close();
  }

  private record Sample(long clientCpu, long serverCpu, ServerStats.Snapshot stats) {}

  private record Samples(ScheduledFuture<Sample> begin, ScheduledFuture<Sample> end) {}

  private static Sample await(ScheduledFuture<Sample> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("sampling CPU or server statistics failed", e.getCause());
    }
  }
}
