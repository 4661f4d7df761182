package io.sluice.loadtest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What one measurement window saw: latencies in an HdrHistogram {@link Recorder} (wait-free from
 * any completion thread), how late the scheduler sent, and counts of successes and errors by kind.
 *
 * <p>The caller decides what latency means: open loops pass the <em>intended</em> send time, so a
 * stalled server shows up as a run of long latencies rather than as fewer samples.
 */
final class Measurements {
  /** Latencies above a minute are clamped; nothing in a load test should get near it. */
  static final long HIGHEST_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final Recorder latency = new Recorder(HIGHEST_NANOS, 3);
  private final Recorder sendLag = new Recorder(HIGHEST_NANOS, 3);
  private final Recorder errorLatency = new Recorder(HIGHEST_NANOS, 3);
  private final LongAdder scheduled = new LongAdder();
  private final LongAdder succeeded = new LongAdder();
  private final LongAdder completedInWindow = new LongAdder();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

  /** A request of the window was due (whether or not it could be sent). */
  void recordScheduled(long lagNanos) {
    scheduled.increment();
    sendLag.recordValue(clamp(lagNanos));
  }

  /** A request of the window succeeded after {@code latencyNanos}. */
  void recordSuccess(long latencyNanos) {
    succeeded.increment();
    latency.recordValue(clamp(latencyNanos));
  }

  /** A request of the window failed or was never sent. */
  void recordError(String kind) {
    errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
  }

  /** A request of the window was answered with an error after {@code latencyNanos}. */
  void recordError(String kind, long latencyNanos) {
    recordError(kind);
    errorLatency.recordValue(clamp(latencyNanos));
  }

  /** Some request (of this window or not) completed successfully inside the window's time span. */
  void recordCompletionInWindow() {
    completedInWindow.increment();
  }

  /** Reads everything recorded so far; meant to be called once, after the window drained. */
  Snapshot snapshot() {
    Map<String, Long> errorCounts = new TreeMap<>();
    errors.forEach((k, v) -> errorCounts.put(k, v.sum()));
    return new Snapshot(
        latency.getIntervalHistogram(),
        sendLag.getIntervalHistogram(),
        errorLatency.getIntervalHistogram(),
        scheduled.sum(),
        succeeded.sum(),
        completedInWindow.sum(),
        errorCounts);
  }

  private static long clamp(long nanos) {
    return Math.max(0, Math.min(nanos, HIGHEST_NANOS));
  }

  /** An immutable read of a {@link Measurements}. */
  record Snapshot(
      Histogram latencyNanos,
      Histogram sendLagNanos,
      Histogram errorLatencyNanos,
      long scheduled,
      long succeeded,
      long completedInWindow,
      Map<String, Long> errors) {

    long errorCount() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }
  }
}
