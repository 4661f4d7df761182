package io.sluice.runtime;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts what a scheduler reports. */
final class RecordingListener implements SchedulerListener {
  record Execution(int batchSize, int requests, long input, long infer, long output) {}

  final List<Execution> executions = new CopyOnWriteArrayList<>();
  private final ConcurrentHashMap<String, AtomicInteger> dropped = new ConcurrentHashMap<>();

  @Override
  public void onExecution(int batchSize, int requests, long input, long infer, long output) {
    executions.add(new Execution(batchSize, requests, input, infer, output));
  }

  @Override
  public void onDropped(String reason) {
    dropped.computeIfAbsent(reason, r -> new AtomicInteger()).incrementAndGet();
  }

  int dropped(String reason) {
    AtomicInteger n = dropped.get(reason);
    return n == null ? 0 : n.get();
  }
}
