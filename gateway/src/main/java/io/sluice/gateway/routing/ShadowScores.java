package io.sluice.gateway.routing;

import com.fasterxml.jackson.core.JsonGenerator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAccumulator;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * The shadows' scores per (model, primary version, shadow version): {@code
 * sluice_shadow_comparisons_total{model,primary,shadow,outcome=agree|disagree|error}}, the
 * histogram {@code sluice_shadow_abs_diff} of each comparison's largest absolute difference, and
 * the same numbers (agreement, mean and max difference) in the traffic status. Copies that never
 * ran are counted in {@code sluice_shadow_dropped_total{model,reason}}.
 */
final class ShadowScores {
  /** One pair's counters. */
  static final class Score {
    final Counter agree;
    final Counter disagree;
    final Counter error;
    final DistributionSummary absDiff;
    final DoubleAdder absDiffSum = new DoubleAdder();
    final DoubleAccumulator absDiffMax = new DoubleAccumulator(Math::max, 0);

    Score(MeterRegistry meters, String model, String primary, String shadow) {
      agree = counter(meters, model, primary, shadow, "agree");
      disagree = counter(meters, model, primary, shadow, "disagree");
      error = counter(meters, model, primary, shadow, "error");
      absDiff = DistributionSummary.builder("sluice_shadow_abs_diff")
          .description("largest absolute output difference, shadow vs primary, per comparison")
          .tags("model", model, "primary", primary, "shadow", shadow)
          .serviceLevelObjectives(1e-6, 1e-4, 1e-2, 1, 100)
          .register(meters);
    }

    private static Counter counter(MeterRegistry meters, String model, String primary,
        String shadow, String outcome) {
      return Counter.builder("sluice_shadow_comparisons")
          .description("shadow answers compared with the primary's, by outcome")
          .tags("model", model, "primary", primary, "shadow", shadow, "outcome", outcome)
          .register(meters);
    }

    void record(ShadowComparator.Result r) {
      (r.agree() ? agree : disagree).increment();
      absDiff.record(r.maxAbsDiff());
      absDiffSum.add(r.maxAbsDiff());
      absDiffMax.accumulate(r.maxAbsDiff());
    }
  }

  private record Key(String model, long primary, long shadow) {}

  private final MeterRegistry meters;
  private final Map<Key, Score> scores = new ConcurrentHashMap<>();
  private final Map<String, Counter> dropped = new ConcurrentHashMap<>();

  ShadowScores(MeterRegistry meters) {
    this.meters = meters;
  }

  Score of(String model, long primary, long shadow) {
    return scores.computeIfAbsent(new Key(model, primary, shadow),
        k -> new Score(meters, model, Long.toString(primary), Long.toString(shadow)));
  }

  void dropped(String model, String reason) {
    dropped.computeIfAbsent(model + "\0" + reason, k -> Counter.builder("sluice_shadow_dropped")
        .description("shadow copies dropped before they ran, by reason")
        .tags("model", model, "reason", reason).register(meters)).increment();
  }

  double droppedCount(String model) {
    double n = 0;
    for (Map.Entry<String, Counter> e : dropped.entrySet()) {
      if (e.getKey().startsWith(model + "\0")) {
        n += e.getValue().count();
      }
    }
    return n;
  }

  /** {@code "shadow_scores": [...]} for the traffic status. */
  void write(String model, JsonGenerator g) throws IOException {
    g.writeArrayFieldStart("shadow_scores");
    Map<Key, Score> mine = new TreeMap<>((a, b) -> a.primary != b.primary
        ? Long.compare(a.primary, b.primary) : Long.compare(a.shadow, b.shadow));
    scores.forEach((k, v) -> {
      if (k.model().equals(model)) {
        mine.put(k, v);
      }
    });
    for (Map.Entry<Key, Score> e : mine.entrySet()) {
      Score s = e.getValue();
      long agree = (long) s.agree.count();
      long disagree = (long) s.disagree.count();
      long compared = agree + disagree;
      g.writeStartObject();
      g.writeStringField("primary", Long.toString(e.getKey().primary()));
      g.writeStringField("shadow", Long.toString(e.getKey().shadow()));
      g.writeNumberField("agree", agree);
      g.writeNumberField("disagree", disagree);
      g.writeNumberField("error", (long) s.error.count());
      if (compared > 0) {
        g.writeNumberField("agreement", (double) agree / compared);
        g.writeNumberField("mean_abs_diff", s.absDiffSum.sum() / compared);
      } else {
        g.writeNullField("agreement");
        g.writeNullField("mean_abs_diff");
      }
      g.writeNumberField("max_abs_diff", s.absDiffMax.get());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeNumberField("shadow_dropped", (long) droppedCount(model));
  }
}
