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
   * sluice-<n>-instance-<i>} with {@code n} a process-wide counter, at {@link
   * Thread#MIN_PRIORITY}.
   *
   * <p>Why the lowest priority: an instance thread runs the engine (ONNX Runtime computes on the
   * calling thread when it has one intra-op thread), and on a small machine it shares cores with
   * the event loops, which must keep reading, refusing and answering under overload. Java
   * priorities only reach the operating system where the JVM maps them: on Linux with {@code
   * -XX:ThreadPriorityPolicy=1}, which makes {@code MIN_PRIORITY} nice 4 (CFS weight 423 against
   * 1024 for the event loops at nice 0); lowering a thread's priority needs no privilege. Without
   * the flag this changes nothing. Engine threads an engine starts itself (ORT's intra-op pool
   * above one thread) inherit the nice value of the thread that loads the model, not this one.
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

  /** Daemon threads named {@code prefix + i}, i from 0, at {@link Thread#MIN_PRIORITY}. */
  static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger next = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + next.getAndIncrement());
      t.setDaemon(true);
      t.setPriority(Thread.MIN_PRIORITY);
      return t;
    };
  }
}
