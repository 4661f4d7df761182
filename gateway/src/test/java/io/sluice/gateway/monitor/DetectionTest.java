package io.sluice.gateway.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.gateway.monitor.ColumnLayout.TensorColumns;
import io.sluice.gateway.monitor.ReferenceProfile.Column;
import io.sluice.gateway.monitor.ReferenceProfile.Dataset;
import io.sluice.gateway.monitor.ReferenceProfile.Role;
import io.sluice.runtime.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The detection requirements on one version monitor fed through tap slots, as the monitor
 * thread feeds it: a numeric feature shifted by 0.5 standard deviations and 20% of a category
 * moved each drift in one tumbling window of 1,000 rows; 1,000 undrifted windows alert at no
 * more than the configured rate. Two reference sizes, so both of Evidently's regimes run: 1,000
 * rows (KS and chi-square at p 0.05) and 10,000 rows (normalised Wasserstein and Jensen–Shannon
 * at 0.1). The measured false-positive rates are printed (and quoted in the README).
 */
class DetectionTest {
  private static final String[] COLORS = {"red", "green", "blue", "purple", "grey"};
  private static final double[] SHARES = {0.4, 0.25, 0.15, 0.12, 0.08};

  private static ColumnLayout layout() {
    return new ColumnLayout(List.of(
        new TensorColumns("x", Role.INPUT, DataType.FP32, 1, 0),
        new TensorColumns("color", Role.INPUT, DataType.BYTES, 1, 1)));
  }

  private static String color(SplittableRandom r, boolean moved) {
    double u = r.nextDouble();
    double[] shares = SHARES.clone();
    if (moved) {
      // 20% of the rows move from the first category to the last
      shares[0] -= 0.2;
      shares[4] += 0.2;
    }
    double cum = 0;
    for (int i = 0; i < shares.length; i++) {
      cum += shares[i];
      if (u < cum) {
        return COLORS[i];
      }
    }
    return COLORS[COLORS.length - 1];
  }

  private static ProfileJson.Loaded reference(int rows, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] x = new double[rows];
    String[] c = new String[rows];
    for (int i = 0; i < rows; i++) {
      x[i] = r.nextGaussian();
      c[i] = color(r, false);
    }
    ProfileBuilder b = new ProfileBuilder(0);
    List<Column> cols = List.of(b.numeric("x", Role.INPUT, "x", 0, x),
        b.categorical("color", Role.INPUT, "color", 0, c));
    return new ProfileJson.Loaded(new ReferenceProfile(ReferenceProfile.FORMAT,
        new Dataset("synthetic", rows, null, "profile"), cols), "test");
  }

  /** One window of 1,000 rows, sent as 50 requests of 20 rows. */
  private static void window(VersionMonitor m, SplittableRandom r, double shift, boolean moved) {
    TapSlot slot = new TapSlot(64, 2);
    for (int req = 0; req < 50; req++) {
      slot.rows = 20;
      slot.tensorRows[0] = 20;
      slot.tensorRows[1] = 20;
      for (int i = 0; i < 20; i++) {
        slot.values[i] = Double.doubleToRawLongBits((float) (r.nextGaussian() + shift));
        slot.values[20 + i] = ColumnMonitor.categoryHash(color(r, moved));
      }
      m.add(slot);
    }
  }

  private static VersionMonitor monitor(int refRows, List<DriftReport> out) {
    return new VersionMonitor("m", "1", layout(), DriftConfig.defaults(), reference(refRows, 1),
        Set.of(), out::add);
  }

  @ParameterizedTest(name = "reference of {0} rows")
  @ValueSource(ints = {1000, 10000})
  void aHalfSigmaShiftDriftsWithinOneWindow(int refRows) {
    List<DriftReport> reports = new ArrayList<>();
    window(monitor(refRows, reports), new SplittableRandom(2), 0.5, false);
    assertThat(reports).hasSize(1);
    ColumnReport x = reports.get(0).columns().get(0);
    assertThat(x.method()).isEqualTo(refRows <= 1000 ? "ks" : "wasserstein");
    assertThat(x.drifted()).isTrue();
  }

  @ParameterizedTest(name = "reference of {0} rows")
  @ValueSource(ints = {1000, 10000})
  void movingTwentyPercentOfACategoryDriftsWithinOneWindow(int refRows) {
    List<DriftReport> reports = new ArrayList<>();
    window(monitor(refRows, reports), new SplittableRandom(3), 0, true);
    ColumnReport color = reports.get(0).columns().get(1);
    assertThat(color.method()).isEqualTo(refRows <= 1000 ? "chisquare" : "jensenshannon");
    assertThat(color.drifted()).isTrue();
  }

  @ParameterizedTest(name = "reference of {0} rows")
  @ValueSource(ints = {1000, 10000})
  void undriftedWindowsAlertAtNoMoreThanTheConfiguredRate(int refRows) {
    List<DriftReport> reports = new ArrayList<>();
    VersionMonitor m = monitor(refRows, reports);
    SplittableRandom r = new SplittableRandom(4);
    for (int w = 0; w < 1000; w++) {
      window(m, r, 0, false);
    }
    assertThat(reports).hasSize(1000);
    double numeric = reports.stream().filter(d -> d.columns().get(0).drifted()).count() / 1000.0;
    double category = reports.stream().filter(d -> d.columns().get(1).drifted()).count() / 1000.0;
    double dataset = reports.stream().filter(DriftReport::datasetDrift).count() / 1000.0;
    System.out.printf("false-positive rate over 1000 windows, reference %d rows: numeric %s %.3f,"
        + " categorical %s %.3f, dataset verdict %.3f%n", refRows,
        reports.get(0).columns().get(0).method(), numeric,
        reports.get(0).columns().get(1).method(), category, dataset);
    // alpha = 0.05 per column, three standard errors of slack over 1,000 windows; the dataset
    // verdict (share >= 0.5 of two columns: either one) at most twice that
    double slack = 3 * Math.sqrt(0.05 * 0.95 / 1000);
    assertThat(numeric).isLessThanOrEqualTo(0.05 + slack);
    assertThat(category).isLessThanOrEqualTo(0.05 + slack);
    assertThat(dataset).isLessThanOrEqualTo(0.1 + 2 * slack);
  }
}
