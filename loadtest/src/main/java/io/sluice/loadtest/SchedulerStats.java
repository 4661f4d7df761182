package io.sluice.loadtest;

import io.sluice.runtime.SchedulerListener;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The in-process counterpart of the server's {@code batch_stats} and {@code inference_stats}:
 * told of every execution by the scheduler, read by a {@link Session} at a window's start and end,
 * so B0q's windows report the batch sizes formed and one engine run's time at each size, as the
 * server's do. Executions arrive on the instance thread and reads on the sampler thread; a
 * monitor is cheap at a handful of executions per millisecond.
 */
final class SchedulerStats implements SchedulerListener, Session.Stats {
  private final Map<Integer, long[]> batches = new TreeMap<>();
  private final long[] stages = new long[6];
  private long dropped;

  @Override
  public synchronized void onExecution(
      int batchSize, int requests, long computeInputNanos, long computeInferNanos,
      long computeOutputNanos) {
    long[] b = batches.computeIfAbsent(batchSize, k -> new long[2]);
    b[0]++;
    b[1] += computeInferNanos;
    // Per request, as Triton's inference_stats: every request of the batch spent these times.
    stages[0] += requests;
    stages[1] += requests * computeInputNanos;
    stages[2] += requests;
    stages[3] += requests * computeInferNanos;
    stages[4] += requests;
    stages[5] += requests * computeOutputNanos;
  }

  @Override
  public synchronized void onDropped(String reason) {
    dropped++;
  }

  synchronized long dropped() {
    return dropped;
  }

  @Override
  public synchronized ServerStats.Snapshot snapshot() {
    Map<Integer, ServerStats.Counted> b = new TreeMap<>();
    batches.forEach((size, c) -> b.put(size, new ServerStats.Counted(c[0], c[1])));
    Map<String, ServerStats.Counted> s = new LinkedHashMap<>();
    s.put("compute_input", new ServerStats.Counted(stages[0], stages[1]));
    s.put("compute_infer", new ServerStats.Counted(stages[2], stages[3]));
    s.put("compute_output", new ServerStats.Counted(stages[4], stages[5]));
    return new ServerStats.Snapshot(b, s);
  }
}
