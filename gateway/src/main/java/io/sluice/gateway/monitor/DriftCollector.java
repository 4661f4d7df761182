package io.sluice.gateway.monitor;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.sluice.gateway.model.Selection;
import io.sluice.gateway.monitor.ReferenceProfile.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The monitor's Prometheus series (DRIFT.md §6.2, {@code sluice_} prefix), read at scrape time
 * from the counters the monitor thread keeps, so nothing is counted twice. Bin counters exist
 * (at zero) from the version's first request, so PromQL never drops an empty bin; the histogram's
 * {@code le} are the reference's percentile edges; the reference side is exported as gauges,
 * identical on every replica (aggregate with {@code max}). {@code monitoring/drift-rules.yml}
 * turns them into fleet-wide PSI and binned KS.
 */
final class DriftCollector implements MultiCollector {
  private final Supplier<Iterable<VersionMonitor>> monitors;

  DriftCollector(Supplier<Iterable<VersionMonitor>> monitors) {
    this.monitors = monitors;
  }

  @Override
  public MetricSnapshots collect() {
    CounterSnapshot.Builder bins = CounterSnapshot.builder().name("sluice_drift_feature_bin")
        .help("values per reference bin (numeric: deciles; categorical: categories and"
            + " __other__), since start-up");
    HistogramSnapshot.Builder values = HistogramSnapshot.builder()
        .name("sluice_drift_feature_value")
        .help("numeric feature values, le = the reference's percentile edges");
    GaugeSnapshot.Builder refRatio = GaugeSnapshot.builder()
        .name("sluice_drift_reference_bin_ratio").help("reference share per bin");
    GaugeSnapshot.Builder refCdf = GaugeSnapshot.builder().name("sluice_drift_reference_cdf")
        .help("reference CDF at each histogram edge");
    GaugeSnapshot.Builder refCount = GaugeSnapshot.builder()
        .name("sluice_drift_reference_count").help("reference rows per feature");
    CounterSnapshot.Builder missing = CounterSnapshot.builder().name("sluice_drift_missing")
        .help("missing, NaN or infinite values per feature");
    CounterSnapshot.Builder unseen = CounterSnapshot.builder()
        .name("sluice_drift_unseen_category").help("categories the reference never saw");
    GaugeSnapshot.Builder score = GaugeSnapshot.builder().name("sluice_drift_score")
        .help("last completed window: the deciding test's statistic");
    GaugeSnapshot.Builder pValue = GaugeSnapshot.builder().name("sluice_drift_p_value")
        .help("last completed window: the deciding test's p-value");
    GaugeSnapshot.Builder detected = GaugeSnapshot.builder().name("sluice_drift_detected")
        .help("last completed window: 1 when the feature drifted");
    GaugeSnapshot.Builder share = GaugeSnapshot.builder()
        .name("sluice_drift_share_drifted_features")
        .help("last completed window: share of drifted columns");
    GaugeSnapshot.Builder dataset = GaugeSnapshot.builder().name("sluice_drift_dataset_drift")
        .help("last completed window: 1 when the share reached its threshold");
    CounterSnapshot.Builder labelled = CounterSnapshot.builder().name("sluice_prediction_labels")
        .help("predictions scored against ground truth");
    CounterSnapshot.Builder correct = CounterSnapshot.builder()
        .name("sluice_prediction_correct").help("scored predictions equal to their label");
    GaugeSnapshot.Builder mae = GaugeSnapshot.builder().name("sluice_prediction_mae")
        .help("mean absolute error of the scored predictions");
    GaugeSnapshot.Builder info = GaugeSnapshot.builder().name("sluice_reference_profile_info")
        .help("which reference profile a version is compared with");
    for (VersionMonitor m : monitors.get()) {
      if (m.profileHash() == null) {
        continue;
      }
      info.dataPoint(gauge(1, "model", m.model, "version", m.version, "profile_hash",
          m.profileHash(), "source", m.dataset().source()));
      for (ColumnMonitor c : m.columns()) {
        String f = c.ref.name();
        String[] base = {"model", m.model, "version", m.version, "feature", f};
        refCount.dataPoint(gauge(c.ref.count(), with(base)));
        missing.dataPoint(counter(c.missingTotal.get(), with(base)));
        long[] refBins;
        String[] binNames;
        if (c.ref.kind() == Kind.CATEGORICAL) {
          unseen.dataPoint(counter(c.unseenTotal.get(), with(base)));
          refBins = c.refCategoryCounts;
          binNames = c.categoryLabels;
        } else {
          refBins = c.ref.decileCounts();
          binNames = new String[refBins.length];
          for (int i = 0; i < binNames.length; i++) {
            binNames[i] = Integer.toString(i);
          }
          double[] edges = c.ref.edges();
          double[] bounds = new double[edges.length + 1];
          long[] counts = new long[edges.length + 1];
          long cum = 0;
          for (int i = 0; i < edges.length; i++) {
            bounds[i] = edges[i];
            counts[i] = c.bucketTotals.get(i);
            cum += c.ref.binCounts()[i];
            refCdf.dataPoint(gauge((double) cum / c.ref.count(),
                with(base, "le", Double.toString(edges[i]))));
          }
          bounds[edges.length] = Double.POSITIVE_INFINITY;
          counts[edges.length] = c.bucketTotals.get(edges.length);
          refCdf.dataPoint(gauge(1, with(base, "le", "+Inf")));
          values.dataPoint(HistogramDataPointSnapshot.builder()
              .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
              .sum(Double.longBitsToDouble(c.valueSumBits.get()))
              .labels(Labels.of(base)).build());
        }
        long refTotal = DriftStatistics.sum(refBins);
        for (int i = 0; i < refBins.length; i++) {
          String[] l = with(base, "bin", binNames[i]);
          bins.dataPoint(counter(c.binTotals.get(i), l));
          refRatio.dataPoint(gauge(refTotal == 0 ? 0 : (double) refBins[i] / refTotal, l));
        }
      }
      for (Selection.Route route : Selection.Route.values()) {
        VersionMonitor.Performance perf = m.performance(route);
        long n = perf.labelled.sum();
        if (n > 0) {
          String[] l = {"model", m.model, "version", m.version, "route", route.label()};
          labelled.dataPoint(counter(n, l));
          correct.dataPoint(counter(perf.correct.sum(), l));
          mae.dataPoint(gauge(perf.absError.sum() / n, l));
        }
      }
      DriftReport r = m.last();
      if (r != null) {
        share.dataPoint(gauge(r.shareDrifted(), "model", m.model, "version", m.version));
        dataset.dataPoint(gauge(r.datasetDrift() ? 1 : 0, "model", m.model, "version",
            m.version));
        for (ColumnReport c : r.columns()) {
          String[] l = {"model", m.model, "version", m.version, "feature", c.name(), "method",
              c.method()};
          if (!Double.isNaN(c.statistic())) {
            score.dataPoint(gauge(c.statistic(), l));
          }
          if (!Double.isNaN(c.pValue())) {
            pValue.dataPoint(gauge(c.pValue(), l));
          }
          detected.dataPoint(gauge(c.drifted() ? 1 : 0, l));
        }
      }
    }
    List<io.prometheus.metrics.model.snapshots.MetricSnapshot> out = new ArrayList<>();
    out.add(bins.build());
    out.add(values.build());
    out.add(refRatio.build());
    out.add(refCdf.build());
    out.add(refCount.build());
    out.add(missing.build());
    out.add(unseen.build());
    out.add(score.build());
    out.add(pValue.build());
    out.add(detected.build());
    out.add(share.build());
    out.add(dataset.build());
    out.add(info.build());
    out.add(labelled.build());
    out.add(correct.build());
    out.add(mae.build());
    return new MetricSnapshots(out);
  }

  private static String[] with(String[] base, String... more) {
    String[] out = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, out, base.length, more.length);
    return out;
  }

  private static GaugeDataPointSnapshot gauge(double v, String... labels) {
    return GaugeDataPointSnapshot.builder().value(v).labels(Labels.of(labels)).build();
  }

  private static CounterDataPointSnapshot counter(double v, String... labels) {
    return CounterDataPointSnapshot.builder().value(v).labels(Labels.of(labels)).build();
  }
}
