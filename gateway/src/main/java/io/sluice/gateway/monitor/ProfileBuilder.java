package io.sluice.gateway.monitor;

import io.sluice.gateway.monitor.ReferenceProfile.Category;
import io.sluice.gateway.monitor.ReferenceProfile.Column;
import io.sluice.gateway.monitor.ReferenceProfile.Kind;
import io.sluice.gateway.monitor.ReferenceProfile.Role;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Builds one {@link Column} of a {@link ReferenceProfile} from a column of reference values. The
 * same rules as {@code scripts/sluice_profile.py} (a test builds both from one CSV and compares):
 * percentiles by linear interpolation between order statistics (numpy's default), right-closed
 * bins, population standard deviation, a sample of every value up to {@value
 * ReferenceProfile#SAMPLE_LIMIT} rows and a seeded reservoir beyond.
 */
final class ProfileBuilder {
  private final long seed;

  /** {@code seed} drives the reservoir sample of a column longer than the sample limit. */
  ProfileBuilder(long seed) {
    this.seed = seed;
  }

  /** A numeric column; NaN and ±inf count as missing. */
  Column numeric(String name, Role role, String tensor, int index, double[] values) {
    double[] finite = Arrays.stream(values).filter(Double::isFinite).toArray();
    long missing = values.length - finite.length;
    double[] sorted = finite.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    long distinct = distinct(sorted);
    if (n == 0) {
      return new Column(name, role, tensor, index, Kind.NUMERIC, 0, missing, 0, null, null, null,
          null, new double[0], new long[] {0}, new double[] {0}, new double[0], new long[] {0},
          new double[0], null, null);
    }
    double sum = 0;
    for (double v : finite) {
      sum += v;
    }
    double mean = sum / n;
    double squares = 0;
    for (double v : finite) {
      squares += (v - mean) * (v - mean);
    }
    double std = Math.sqrt(squares / n);
    double[] edges = percentileEdges(sorted, 1);
    long[] binCounts = new long[edges.length + 1];
    double[] binSums = new double[edges.length + 1];
    for (double v : sorted) {
      int b = Bins.index(edges, v);
      binCounts[b]++;
      binSums[b] += v;
    }
    double[] decileEdges = percentileEdges(sorted, 10);
    long[] decileCounts = new long[decileEdges.length + 1];
    for (double v : sorted) {
      decileCounts[Bins.index(decileEdges, v)]++;
    }
    List<Category> categories = null;
    Long other = null;
    if (distinct <= ReferenceProfile.DISCRETE_LIMIT) {
      categories = new ArrayList<>();
      for (int i = 0; i < n; ) {
        int j = i;
        while (j < n && sorted[j] == sorted[i]) {
          j++;
        }
        categories.add(new Category(Double.toString(sorted[i]), j - i));
        i = j;
      }
      other = 0L;
    }
    return new Column(name, role, tensor, index, Kind.NUMERIC, n, missing, distinct, sorted[0],
        sorted[n - 1], mean, std, edges, binCounts, binSums, decileEdges, decileCounts,
        sample(finite, sorted), categories, other);
  }

  /** A categorical column; null and the empty string count as missing. */
  Column categorical(String name, Role role, String tensor, int index, String[] values) {
    Map<String, Long> counts = new HashMap<>();
    long missing = 0;
    for (String v : values) {
      if (v == null || v.isEmpty()) {
        missing++;
      } else {
        counts.merge(v, 1L, Long::sum);
      }
    }
    List<Category> all = new ArrayList<>();
    counts.forEach((k, c) -> all.add(new Category(k, c)));
    all.sort(Comparator.comparingLong(Category::count).reversed().thenComparing(Category::value));
    List<Category> top = List.copyOf(all.subList(0, Math.min(all.size(), ReferenceProfile.TOP_K)));
    long other = all.stream().skip(top.size()).mapToLong(Category::count).sum();
    return new Column(name, role, tensor, index, Kind.CATEGORICAL, values.length - missing,
        missing, all.size(), null, null, null, null, null, null, null, null, null, null, top,
        other);
  }

  /** Percentiles step, 2·step, … below 100, by numpy's linear rule, duplicates dropped. */
  static double[] percentileEdges(double[] sorted, int step) {
    double[] out = new double[100 / step - 1];
    int k = 0;
    for (int p = step; p < 100; p += step) {
      double e = quantile(sorted, p / 100.0);
      if (k == 0 || e != out[k - 1]) {
        out[k++] = e;
      }
    }
    return Arrays.copyOf(out, k);
  }

  /** numpy's {@code quantile(method="linear")}: h = (n − 1)q, between the two order statistics. */
  static double quantile(double[] sorted, double q) {
    double h = (sorted.length - 1) * q;
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, sorted.length - 1);
    double frac = h - lo;
    return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
  }

  private static long distinct(double[] sorted) {
    long d = 0;
    for (int i = 0; i < sorted.length; i++) {
      if (i == 0 || sorted[i] != sorted[i - 1]) {
        d++;
      }
    }
    return d;
  }

  /** Every value when they fit, else a seeded reservoir (Algorithm R); sorted either way. */
  private double[] sample(double[] inOrder, double[] sorted) {
    int limit = ReferenceProfile.SAMPLE_LIMIT;
    if (inOrder.length <= limit) {
      return sorted;
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[] reservoir = Arrays.copyOf(inOrder, limit);
    for (int i = limit; i < inOrder.length; i++) {
      int j = random.nextInt(i + 1);
      if (j < limit) {
        reservoir[j] = inOrder[i];
      }
    }
    Arrays.sort(reservoir);
    return reservoir;
  }
}
