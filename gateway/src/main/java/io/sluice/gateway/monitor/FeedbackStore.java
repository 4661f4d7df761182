package io.sluice.gateway.monitor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.gateway.core.FeedbackResult;
import io.sluice.gateway.core.MonitorQueries;
import io.sluice.gateway.model.Selection;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * Ground truth joined to predictions: the monitor thread records each monitored request's
 * prediction under its V2 request id (bounded: the oldest go past {@code capacity}, and past the
 * TTL a prediction no longer takes a label); a feedback call (an event loop) looks its ids up,
 * scores a match on the {@link VersionMonitor.Performance} of the version and route that
 * answered, and counts every outcome in {@code sluice_labels_received_total{model,outcome}}. The
 * first label of an id wins. Only primary answers are kept: a shadow's answer went to nobody, so
 * a label is not scored against it (how far a shadow agrees with the primary is {@code
 * sluice_shadow_*}'s job).
 */
final class FeedbackStore {
  private final Map<String, Pending> byId;
  /** Monitor thread only: predictions in arrival order, for eviction (no second lookup). */
  private final ArrayDeque<Pending> order = new ArrayDeque<>();
  private final int capacity;
  private final long ttlMillis;
  private final Clock clock;
  private final MeterRegistry meters;

  FeedbackStore(int capacity, long ttlMillis, Clock clock, MeterRegistry meters) {
    this.capacity = capacity;
    // Sized for capacity up front: past it the map holds steady, and it never resizes on the way.
    this.byId = new ConcurrentHashMap<>(capacity);
    this.ttlMillis = ttlMillis;
    this.clock = clock;
    this.meters = meters;
  }

  /**
   * A logged prediction, waiting for its label: one object per monitored request (the first
   * label's claim is a field updated in place, not an {@code AtomicBoolean} of its own).
   */
  private static final class Pending {
    private static final AtomicIntegerFieldUpdater<Pending> LABELLED =
        AtomicIntegerFieldUpdater.newUpdater(Pending.class, "labelled");
    final String id;
    final VersionMonitor monitor;
    final Selection.Route route;
    final double predicted;
    final long millis;
    private volatile int labelled;

    Pending(String id, VersionMonitor monitor, Selection.Route route, double predicted,
        long millis) {
      this.id = id;
      this.monitor = monitor;
      this.route = route;
      this.predicted = predicted;
      this.millis = millis;
    }

    /** True for the first caller only. */
    boolean claim() {
      return LABELLED.compareAndSet(this, 0, 1);
    }
  }

  /** Monitor thread: {@code id}'s prediction (ids seen twice keep the first). */
  void record(String id, VersionMonitor monitor, Selection.Route route, double predicted,
      long millis) {
    if (id == null || id.isEmpty()) {
      return;
    }
    Pending p = new Pending(id, monitor, route, predicted, millis);
    if (byId.putIfAbsent(id, p) != null) {
      return;
    }
    order.addLast(p);
    monitor.performance(route).predictions.increment();
    while (order.size() > capacity
        || (!order.isEmpty() && millis - order.peekFirst().millis > 2 * ttlMillis)) {
      byId.remove(order.pollFirst().id);
    }
  }

  /** Any thread: scores {@code labels} for {@code model}. */
  FeedbackResult label(String model, List<MonitorQueries.Label> labels) {
    int matched = 0;
    int unknown = 0;
    int expired = 0;
    int duplicate = 0;
    long now = clock.millis();
    for (MonitorQueries.Label l : labels) {
      Pending p = byId.get(l.id());
      if (p == null || !p.monitor.model.equals(model)) {
        unknown++;
      } else if (now - p.millis > ttlMillis) {
        expired++;
      } else if (!p.claim()) {
        duplicate++;
      } else {
        matched++;
        p.monitor.performance(p.route).score(p.predicted, l.value());
      }
    }
    count(model, "matched", matched);
    count(model, "unknown_id", unknown);
    count(model, "expired", expired);
    count(model, "duplicate", duplicate);
    return new FeedbackResult(matched, unknown, expired, duplicate);
  }

  private void count(String model, String outcome, int n) {
    Counter.builder("sluice_labels_received").description("ground-truth labels by outcome")
        .tag("model", model).tag("outcome", outcome).register(meters).increment(n);
  }
}
