package io.sluice.gateway.monitor;

import java.util.Arrays;
import org.apache.datasketches.kll.KllDoublesSketch;

/**
 * One column's values over one pane of a window (a tumbling window is one pane; a sliding one is
 * a ring of them). Numeric values are kept raw up to {@code rawLimit}; past it they go into a KLL
 * sketch (Apache DataSketches), so memory is bounded whatever the traffic. Category indexes (for
 * categorical and discrete numeric columns) and data-quality counts are plain counters. Written
 * by the monitor thread only.
 */
final class ColumnPane {
  /** KLL's k: rank error about 1.33% (99% confidence), DataSketches' default. */
  static final int KLL_K = 200;

  private final double[] raw;
  private int rawCount;
  private KllDoublesSketch sketch;
  private long finite;
  final long[] categoryCounts;
  final long[] binCounts;
  long missing;
  long nan;
  long infinite;
  long outOfRange;
  long unseen;

  ColumnPane(int rawLimit, int categories, int bins) {
    this.raw = new double[rawLimit];
    this.binCounts = new long[bins];
    this.categoryCounts = categories == 0 ? null : new long[categories];
  }

  /** A numeric value; {@code bin} is its coarse (decile) bin, ignored unless finite. */
  void addNumeric(double v, int bin, double refMin, double refMax) {
    if (Double.isNaN(v)) {
      nan++;
      return;
    }
    if (Double.isInfinite(v)) {
      infinite++;
      return;
    }
    finite++;
    binCounts[bin]++;
    if (v < refMin || v > refMax) {
      outOfRange++;
    }
    if (sketch == null && rawCount < raw.length) {
      raw[rawCount++] = v;
      return;
    }
    if (sketch == null) {
      sketch = KllDoublesSketch.newHeapInstance(KLL_K);
      sketch.update(raw, 0, rawCount);
    }
    sketch.update(v);
  }

  void addCategory(int index) {
    categoryCounts[index]++;
  }

  /** Rows with a finite numeric value. */
  long finite() {
    return finite;
  }

  boolean sketched() {
    return sketch != null;
  }

  /** The raw values (valid only while not {@link #sketched()}). */
  double[] raw() {
    return Arrays.copyOf(raw, rawCount);
  }

  /** Copies the raw values into {@code out} from {@code at}; how many (while not sketched). */
  int copyRaw(double[] out, int at) {
    System.arraycopy(raw, 0, out, at, rawCount);
    return rawCount;
  }

  KllDoublesSketch sketch() {
    return sketch;
  }

  void clear() {
    rawCount = 0;
    sketch = null;
    finite = 0;
    if (categoryCounts != null) {
      Arrays.fill(categoryCounts, 0);
    }
    Arrays.fill(binCounts, 0);
    missing = 0;
    nan = 0;
    infinite = 0;
    outOfRange = 0;
    unseen = 0;
  }
}
