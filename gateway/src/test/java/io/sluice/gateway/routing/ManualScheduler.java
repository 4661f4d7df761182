package io.sluice.gateway.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler whose time moves only when a test says so ({@link #advance}): delayed tasks run
 * on the test's thread, in time order, when their moment comes. Fixed-rate tasks are not needed
 * by the rollouts and are refused.
 */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
  private final List<Task<?>> tasks = new ArrayList<>();
  private long nowNanos;

  private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
    final long at;

    Task(Callable<V> c, long at) {
      super(c);
      this.at = at;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(at - nowNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
    }
  }

  /** Moves time on by {@code seconds}, running every task that falls due, in order. */
  void advance(long seconds) {
    long until = nowNanos + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      Task<?> next = tasks.stream().filter(t -> t.at <= until)
          .min((a, b) -> Long.compare(a.at, b.at)).orElse(null);
      if (next == null) {
        break;
      }
      tasks.remove(next);
      nowNanos = next.at;
      next.run();
    }
    nowNanos = until;
  }

  int pending() {
    return tasks.size();
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return schedule(() -> {
      command.run();
      return null;
    }, delay, unit);
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    Task<V> t = new Task<>(callable, nowNanos + unit.toNanos(delay));
    tasks.add(t);
    return t;
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable c, long d, long p, TimeUnit u) {
    throw new UnsupportedOperationException("not needed");
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable c, long d, long p, TimeUnit u) {
    throw new UnsupportedOperationException("not needed");
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public void shutdown() {}

  @Override
  public List<Runnable> shutdownNow() {
    return List.of();
  }

  @Override
  public boolean isShutdown() {
    return false;
  }

  @Override
  public boolean isTerminated() {
    return false;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return true;
  }
}
