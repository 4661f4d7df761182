package io.sluice.runtime;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Creates the {@link Scheduler} for one model version. There is one implementation, for batching
 * on and off alike ({@link BatcherConfig#dynamicBatching()} and {@code maxBatchSize} pick the
 * behaviour), so the gateway never chooses a class, only a configuration.
 */
public final class Schedulers {
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private Schedulers() {}

  /**
   * A started scheduler with one daemon thread per instance, named {@code
   * sluice-<n>-instance-<i>} with {@code n} a process-wide counter.
   *
   * @param instances the backends, one per instance; the scheduler owns and closes them
   */
  public static Scheduler create(
      BatcherConfig config, List<Backend> instances, Ticker ticker, SchedulerListener listener) {
    return create(String.valueOf(SEQUENCE.incrementAndGet()), config, instances, ticker, listener);
  }

  /**
   * As {@link #create(BatcherConfig, List, Ticker, SchedulerListener)}, with threads named {@code
   * sluice-<name>-instance-<i>} (the gateway passes {@code <model>-<version>}).
   */
  public static Scheduler create(
      String name, BatcherConfig config, List<Backend> instances, Ticker ticker,
      SchedulerListener listener) {
    Objects.requireNonNull(name, "name");
    ThreadFactory threads = daemonThreads("sluice-" + name + "-instance-");
    return create(config, instances, ticker, listener, threads);
  }

  /** As above, with the caller's threads (one is asked for per instance). */
  public static Scheduler create(
      BatcherConfig config, List<Backend> instances, Ticker ticker, SchedulerListener listener,
      ThreadFactory threadFactory) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(instances, "instances");
    Objects.requireNonNull(ticker, "ticker");
    Objects.requireNonNull(threadFactory, "threadFactory");
    return new DynamicBatchScheduler(config, instances, ticker, listener, threadFactory).start();
  }

  /** Daemon threads named {@code prefix + i}, i from 0. */
  static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger next = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + next.getAndIncrement());
      t.setDaemon(true);
      return t;
    };
  }
}
