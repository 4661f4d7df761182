package io.sluice.gateway.monitor;

import io.sluice.gateway.monitor.ReferenceProfile.Category;
import io.sluice.gateway.monitor.ReferenceProfile.Column;
import io.sluice.gateway.monitor.ReferenceProfile.Kind;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.DoublesSortedView;

/**
 * One column of a monitored version: its reference, how a value is filed into a pane, how a
 * window of panes is scored, and the lifetime counters Prometheus reads. The monitor thread
 * writes; the scrape thread reads the atomic counters only.
 */
final class ColumnMonitor {
  final Column ref;
  final String method;
  /** Reference counts per comparison bin: categories then OTHER (categorical or discrete). */
  final long[] refCategoryCounts;
  /** Category labels per bin, OTHER last. */
  final String[] categoryLabels;
  /** Bin by category hash (categorical) or by {@code doubleToLongBits} (discrete numeric). */
  private final KeyIndex categoryByHash;
  private final KeyIndex categoryByValue;
  private final double refMin;
  private final double refMax;
  // Lifetime, for Prometheus: single writer (the monitor thread), so an update is a read and a
  // release store (lazySet): a plain store on x86 where set() would fence once per value.
  final AtomicLongArray binTotals;
  final AtomicLongArray bucketTotals;
  final AtomicLong valueCount = new AtomicLong();
  final AtomicLong valueSumBits = new AtomicLong(Double.doubleToLongBits(0));
  final AtomicLong missingTotal = new AtomicLong();
  final AtomicLong unseenTotal = new AtomicLong();

  /**
   * @param hashedNames the categories are {@link #hashName}s (a reference built from live rows,
   *     where the tap saw only hashes)
   */
  ColumnMonitor(Column ref, boolean hashedNames) {
    this.ref = ref;
    this.method = chooseTest(ref);
    if (ref.hasCategories()) {
      List<Category> cats = ref.categories();
      refCategoryCounts = new long[cats.size() + 1];
      categoryLabels = new String[cats.size() + 1];
      Map<Long, Integer> byHash = new HashMap<>();
      Map<Long, Integer> byValue = new HashMap<>();
      for (int i = 0; i < cats.size(); i++) {
        refCategoryCounts[i] = cats.get(i).count();
        categoryLabels[i] = cats.get(i).value();
        if (ref.kind() == Kind.CATEGORICAL) {
          String v = cats.get(i).value();
          byHash.put(hashedNames ? Long.parseUnsignedLong(v.substring(1), 16)
              : categoryHash(v), i);
        } else {
          // Double.equals compares these bits: the same matches as a map keyed by Double.
          byValue.put(Double.doubleToLongBits(Double.parseDouble(cats.get(i).value())), i);
        }
      }
      categoryByHash = KeyIndex.of(byHash);
      categoryByValue = KeyIndex.of(byValue);
      refCategoryCounts[cats.size()] = ref.other() == null ? 0 : ref.other();
      categoryLabels[cats.size()] = "__other__";
    } else {
      refCategoryCounts = null;
      categoryLabels = null;
      categoryByHash = null;
      categoryByValue = null;
    }
    refMin = ref.min() == null ? Double.NEGATIVE_INFINITY : ref.min();
    refMax = ref.max() == null ? Double.POSITIVE_INFINITY : ref.max();
    binTotals = new AtomicLongArray(ref.kind() == Kind.CATEGORICAL
        ? refCategoryCounts.length : ref.decileCounts().length);
    bucketTotals = new AtomicLongArray(ref.kind() == Kind.CATEGORICAL ? 0 : ref.binCounts().length);
  }

  /** FNV-1a, 64 bits, of a category's UTF-8 bytes: how the tap names a BYTES value. */
  static long categoryHash(String value) {
    byte[] b = value.getBytes(StandardCharsets.UTF_8);
    long h = Fnv.OFFSET;
    for (byte x : b) {
      h = Fnv.step(h, x);
    }
    return h;
  }

  /** How a category seen only as a hash is named: {@code #} and 16 hex digits. */
  static String hashName(long hash) {
    return "#" + HexFormat.of().toHexDigits(hash);
  }

  /**
   * Evidently's default test (DRIFT.md §1.0), decided by the reference's size and distinct
   * values: p-value tests up to 1,000 reference rows, distances beyond.
   */
  static String chooseTest(Column ref) {
    boolean numeric = ref.kind() == Kind.NUMERIC;
    if (ref.count() <= 1000) {
      if (numeric && ref.distinct() > 5) {
        return "ks";
      }
      return ref.distinct() > 2 ? "chisquare" : "z";
    }
    return numeric && ref.distinct() > 5 ? "wasserstein" : "jensenshannon";
  }

  ColumnPane newPane(int rawLimit) {
    return new ColumnPane(ref.kind() == Kind.NUMERIC ? rawLimit : 0,
        refCategoryCounts == null ? 0 : refCategoryCounts.length,
        ref.kind() == Kind.NUMERIC ? ref.decileCounts().length : 0);
  }

  /** Files a numeric value. */
  void addNumeric(ColumnPane pane, double v) {
    int bin = Double.isFinite(v) ? Bins.index(ref.decileEdges(), v) : 0;
    pane.addNumeric(v, bin, refMin, refMax);
    if (!Double.isFinite(v)) {
      missingTotal.lazySet(missingTotal.get() + 1);
      return;
    }
    binTotals.lazySet(bin, binTotals.get(bin) + 1);
    int bucket = Bins.index(ref.edges(), v);
    bucketTotals.lazySet(bucket, bucketTotals.get(bucket) + 1);
    valueCount.lazySet(valueCount.get() + 1);
    valueSumBits.lazySet(
        Double.doubleToLongBits(Double.longBitsToDouble(valueSumBits.get()) + v));
    if (categoryByValue != null) {
      int c = categoryByValue.get(Double.doubleToLongBits(v));
      pane.addCategory(c < 0 ? refCategoryCounts.length - 1 : c);
    }
  }

  /** Files a categorical value by its hash; {@code missing} for an empty string. */
  void addCategory(ColumnPane pane, long hash, boolean missing) {
    if (missing) {
      pane.missing++;
      missingTotal.lazySet(missingTotal.get() + 1);
      return;
    }
    int c = categoryByHash.get(hash);
    int index = c < 0 ? refCategoryCounts.length - 1 : c;
    if (c < 0 && (ref.other() == null || ref.other() == 0)) {
      pane.unseen++;
      unseenTotal.lazySet(unseenTotal.get() + 1);
    }
    pane.addCategory(index);
    binTotals.lazySet(index, binTotals.get(index) + 1);
  }

  /** An absent tensor: every row of it is missing. */
  void addMissing(ColumnPane pane, long rows) {
    pane.missing += rows;
    missingTotal.lazySet(missingTotal.get() + rows);
  }

  /** Scores the window made of {@code panes}. */
  ColumnReport evaluate(List<ColumnPane> panes, DriftConfig config) {
    Map<String, Double> scores = new LinkedHashMap<>();
    Map<String, Long> quality = new LinkedHashMap<>();
    long missing = 0;
    long nan = 0;
    long inf = 0;
    long outOfRange = 0;
    long unseen = 0;
    for (ColumnPane p : panes) {
      missing += p.missing;
      nan += p.nan;
      inf += p.infinite;
      outOfRange += p.outOfRange;
      unseen += p.unseen;
    }
    quality.put("missing", missing);
    quality.put("nan", nan);
    quality.put("inf", inf);
    quality.put("out_of_range", outOfRange);
    quality.put("unseen", unseen);
    boolean exact = true;
    long n;
    long[] cats = null;
    if (refCategoryCounts != null) {
      cats = new long[refCategoryCounts.length];
      for (ColumnPane p : panes) {
        for (int i = 0; i < cats.length; i++) {
          cats[i] += p.categoryCounts[i];
        }
      }
    }
    if (ref.kind() == Kind.NUMERIC) {
      long[] bins = new long[ref.decileCounts().length];
      n = 0;
      boolean sketched = false;
      for (ColumnPane p : panes) {
        n += p.finite();
        sketched |= p.sketched();
        for (int i = 0; i < bins.length; i++) {
          bins[i] += p.binCounts[i];
        }
      }
      if (n > 0 && ref.sample().length > 0) {
        if (!sketched && n <= DriftConfig.RAW_LIMIT) {
          double[] cur = concat(panes, (int) n);
          // Sorted first: KS does not depend on the order, and Commons' own sort of its copy
          // then meets sorted runs (near linear) instead of sorting the window a second time.
          Arrays.sort(cur);
          // scipy's own p (exact up to 10,000 a side) when KS decides; the limit when shown.
          DriftStatistics.Result ks = method.equals("ks")
              ? exactKs(cur)
              : DriftStatistics.ksShown(ref.sample(), cur);
          scores.put("ks", ks.statistic());
          scores.put("ks_p_value", ks.pValue());
          scores.put("wasserstein", DriftStatistics.normalisedWasserstein(
              DriftStatistics.wasserstein(ref.sample(), cur), ref.std()));
        } else {
          exact = false;
          DoublesSortedView view = merge(panes).getSortedView();
          double[] dw = DriftStatistics.ksAndWasserstein(
              ref.sample(), null, view.getQuantiles(), view.getCumulativeWeights());
          scores.put("ks", dw[0]);
          scores.put("ks_p_value", DriftStatistics.ksLimitPValue(dw[0], ref.sample().length, n));
          scores.put("wasserstein", DriftStatistics.normalisedWasserstein(dw[1], ref.std()));
        }
        scores.put("psi", DriftStatistics.psi(ref.decileCounts(), bins));
        scores.put("jensenshannon", DriftStatistics.jensenShannon(ref.decileCounts(), bins));
      }
    } else {
      n = DriftStatistics.sum(cats);
    }
    if (cats != null && n > 0) {
      DriftStatistics.Result chi =
          DriftStatistics.chiSquareHomogeneity(refCategoryCounts, cats);
      scores.put("chisquare", chi.statistic());
      scores.put("chisquare_p_value", chi.pValue());
      DriftStatistics.Result gof = DriftStatistics.chiSquare(refCategoryCounts, cats);
      scores.put("chisquare_gof", gof.statistic());
      scores.put("chisquare_gof_p_value", gof.pValue());
      if (ref.kind() == Kind.CATEGORICAL) {
        scores.put("psi", DriftStatistics.psi(refCategoryCounts, cats));
        scores.put("jensenshannon", DriftStatistics.jensenShannon(refCategoryCounts, cats));
      } else {
        scores.put("jensenshannon_values",
            DriftStatistics.jensenShannon(refCategoryCounts, cats));
      }
      if (refCategoryCounts.length <= 3) {
        DriftStatistics.Result z = DriftStatistics.zTest(refCategoryCounts, cats);
        scores.put("z", z.statistic());
        scores.put("z_p_value", z.pValue());
      }
    }
    double statistic = Double.NaN;
    double p = Double.NaN;
    double threshold;
    boolean drifted = false;
    switch (method) {
      case "ks":
        threshold = config.pValueThreshold();
        statistic = scores.getOrDefault("ks", Double.NaN);
        p = scores.getOrDefault("ks_p_value", Double.NaN);
        drifted = p <= threshold;
        break;
      case "chisquare":
      case "z":
        threshold = config.pValueThreshold();
        statistic = scores.getOrDefault(method, Double.NaN);
        p = scores.getOrDefault(method + "_p_value", Double.NaN);
        drifted = p < threshold;
        break;
      default:
        threshold = config.distanceThreshold();
        String key = method.equals("jensenshannon") && ref.kind() == Kind.NUMERIC
            ? "jensenshannon_values" : method;
        statistic = scores.getOrDefault(key, Double.NaN);
        drifted = statistic >= threshold && n >= config.minWindowRows();
        break;
    }
    return new ColumnReport(ref.name(), ref.role() == ReferenceProfile.Role.INPUT ? "input"
        : "output", ref.kind() == Kind.NUMERIC ? "numeric" : "categorical", method, statistic, p,
        threshold, drifted, exact, ref.count(), n, scores, quality);
  }

  /**
   * KS with scipy's exact p-value, remembered: for a reference of n values, that p is a function
   * of the window's size m and the statistic alone, and computing it costs milliseconds (iris's
   * 150-value samples against 1,000 rows: 0.6–6 ms a column) where the statistic costs
   * microseconds. The statistic takes at most lcm(n, m) + 1 values, so windows of one size soon
   * meet statistics seen before. Bounded: cleared past {@value #KS_MEMO_LIMIT} entries.
   */
  private DriftStatistics.Result exactKs(double[] current) {
    double d = DriftStatistics.ksStatistic(ref.sample(), current);
    KsKey key = new KsKey(current.length, d);
    Double p = ksExactP.get(key);
    if (p != null) {
      return new DriftStatistics.Result(d, p);
    }
    double computed = DriftStatistics.ks(ref.sample(), current).pValue();
    if (ksExactP.size() >= KS_MEMO_LIMIT) {
      ksExactP.clear();
    }
    ksExactP.put(key, computed);
    return new DriftStatistics.Result(d, computed);
  }

  static final int KS_MEMO_LIMIT = 4096;

  /** A window size and a KS statistic: what the exact p-value depends on besides n. */
  private record KsKey(int m, double d) {}

  /** Monitor thread only. */
  private final Map<KsKey, Double> ksExactP = new HashMap<>();

  private static double[] concat(List<ColumnPane> panes, int n) {
    double[] out = new double[n];
    int k = 0;
    for (ColumnPane p : panes) {
      k += p.copyRaw(out, k);
    }
    return out;
  }

  private static KllDoublesSketch merge(List<ColumnPane> panes) {
    KllDoublesSketch all = KllDoublesSketch.newHeapInstance(ColumnPane.KLL_K);
    for (ColumnPane p : panes) {
      if (p.sketched()) {
        all.merge(p.sketch());
      } else {
        double[] r = p.raw();
        all.update(r, 0, r.length);
      }
    }
    return all;
  }

  /**
   * A category's bin by a 64-bit key, looked up once per value without boxing it (a map keyed by
   * Long or Double allocated a key per value on the monitor thread): the keys sorted, searched.
   */
  static final class KeyIndex {
    private final long[] keys;
    private final int[] bins;

    private KeyIndex(long[] keys, int[] bins) {
      this.keys = keys;
      this.bins = bins;
    }

    static KeyIndex of(Map<Long, Integer> byKey) {
      long[] keys = byKey.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
      int[] bins = new int[keys.length];
      for (int i = 0; i < keys.length; i++) {
        bins[i] = byKey.get(keys[i]);
      }
      return new KeyIndex(keys, bins);
    }

    /** The key's bin, or -1. */
    int get(long key) {
      int i = Arrays.binarySearch(keys, key);
      return i < 0 ? -1 : bins[i];
    }
  }

  /** FNV-1a constants. */
  static final class Fnv {
    static final long OFFSET = 0xcbf29ce484222325L;
    static final long PRIME = 0x100000001b3L;

    private Fnv() {}

    static long step(long h, byte b) {
      return (h ^ (b & 0xff)) * PRIME;
    }
  }
}
