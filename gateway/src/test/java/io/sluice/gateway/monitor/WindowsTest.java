package io.sluice.gateway.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.gateway.monitor.ColumnLayout.TensorColumns;
import io.sluice.gateway.monitor.ReferenceProfile.Dataset;
import io.sluice.gateway.monitor.ReferenceProfile.Role;
import io.sluice.runtime.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Tumbling and sliding windows by rows and by time, a live reference, the sketched path. */
class WindowsTest {
  private static final ColumnLayout LAYOUT =
      new ColumnLayout(List.of(new TensorColumns("x", Role.INPUT, DataType.FP32, 1, 0)));

  private static ProfileJson.Loaded reference() {
    SplittableRandom r = new SplittableRandom(1);
    double[] x = new double[500];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextGaussian();
    }
    return new ProfileJson.Loaded(new ReferenceProfile(ReferenceProfile.FORMAT,
        new Dataset("ref", x.length, "rev-1", "profile"),
        List.of(new ProfileBuilder(0).numeric("x", Role.INPUT, "x", 0, x))), "h");
  }

  /** {@code rows} rows as one request at {@code millis}. */
  private static TapSlot slot(int rows, long millis, SplittableRandom r) {
    TapSlot s = new TapSlot(Math.max(rows, 1), 1);
    s.rows = rows;
    s.tensorRows[0] = rows;
    s.epochMillis = millis;
    for (int i = 0; i < rows; i++) {
      s.values[i] = Double.doubleToRawLongBits(r.nextGaussian());
    }
    return s;
  }

  private static DriftConfig config(int rows, int seconds, int slideRows, int slideSeconds) {
    return DriftConfig.defaults().withWindow(rows, seconds, slideRows, slideSeconds);
  }

  @Test
  void aTumblingWindowByRowsSplitsABatchAcrossItsBoundary() {
    List<DriftReport> out = new ArrayList<>();
    VersionMonitor m = new VersionMonitor("m", "1", LAYOUT, config(100, 0, 0, 0), reference(),
        Set.of(), out::add);
    SplittableRandom r = new SplittableRandom(2);
    m.add(slot(70, 1000, r));
    m.add(slot(70, 2000, r));
    assertThat(out).hasSize(1);
    assertThat(out.get(0).rows()).isEqualTo(100);
    assertThat(out.get(0).columns().get(0).currentRows()).isEqualTo(100);
    assertThat(m.currentRows()).isEqualTo(40);
  }

  @Test
  void aTumblingWindowByTimeClosesOnTheTick() {
    List<DriftReport> out = new ArrayList<>();
    VersionMonitor m = new VersionMonitor("m", "1", LAYOUT, config(0, 60, 0, 0), reference(),
        Set.of(), out::add);
    SplittableRandom r = new SplittableRandom(3);
    m.add(slot(30, 0, r));
    m.add(slot(30, 30_000, r));
    m.tick(59_999);
    assertThat(out).isEmpty();
    m.tick(60_000);
    assertThat(out).hasSize(1);
    assertThat(out.get(0).rows()).isEqualTo(60);
    assertThat(out.get(0).windowStart().toEpochMilli()).isZero();
    assertThat(out.get(0).windowEnd().toEpochMilli()).isEqualTo(60_000);
  }

  @Test
  void aSlidingWindowByRowsIsScoredEveryStepOverTheLastWindowRows() {
    List<DriftReport> out = new ArrayList<>();
    VersionMonitor m = new VersionMonitor("m", "1", LAYOUT, config(100, 0, 25, 0), reference(),
        Set.of(), out::add);
    SplittableRandom r = new SplittableRandom(4);
    for (int i = 0; i < 8; i++) {
      m.add(slot(25, i * 1000L, r));
    }
    // full after 4 steps, then once per step: windows ending at steps 4..8
    assertThat(out).hasSize(5);
    assertThat(out).allSatisfy(d -> assertThat(d.rows()).isEqualTo(100));
    assertThat(out.get(1).windowStart().toEpochMilli()).isEqualTo(1000);
  }

  @Test
  void aSlidingWindowByTimeCoversItsPanes() {
    List<DriftReport> out = new ArrayList<>();
    VersionMonitor m = new VersionMonitor("m", "1", LAYOUT, config(0, 60, 0, 20), reference(),
        Set.of(), out::add);
    SplittableRandom r = new SplittableRandom(5);
    for (int i = 0; i < 4; i++) {
      m.add(slot(10, i * 20_000L, r));
      m.tick(i * 20_000L + 20_000);
    }
    assertThat(out).hasSize(2);
    assertThat(out).allSatisfy(d -> assertThat(d.rows()).isEqualTo(30));
  }

  @Test
  void withoutAProfileTheFirstRowsBecomeTheReference() {
    List<DriftReport> out = new ArrayList<>();
    DriftConfig c = new DriftConfig(true, 100, 0, 0, 0, 1000, 0.05, 0.1, 0.5, 200, 8, 64, 0, null,
        null, null, 300, 3);
    VersionMonitor m = new VersionMonitor("m", "1", LAYOUT, c, null, Set.of(), out::add);
    SplittableRandom r = new SplittableRandom(6);
    m.add(slot(150, 0, r));
    assertThat(m.bootstrapping()).isTrue();
    m.add(slot(150, 1, r));
    assertThat(m.bootstrapping()).isFalse();
    assertThat(m.dataset().source()).isEqualTo("live");
    assertThat(m.dataset().rows()).isEqualTo(200);
    // the 100 rows past the reference's 200 fill the first window
    assertThat(out).hasSize(1);
    assertThat(out.get(0).rows()).isEqualTo(100);
    assertThat(out.get(0).columns().get(0).referenceRows()).isEqualTo(200);
    assertThat(out.get(0).columns().get(0).name()).isEqualTo("x");
  }

  @Test
  void aWindowOverTheRawLimitIsScoredFromTheSketch() {
    List<DriftReport> out = new ArrayList<>();
    VersionMonitor m = new VersionMonitor("m", "1", LAYOUT, config(30_000, 0, 0, 0), reference(),
        Set.of(), out::add);
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 30; i++) {
      m.add(slot(1000, i, r));
    }
    ColumnReport x = out.get(0).columns().get(0);
    assertThat(x.exact()).isFalse();
    assertThat(x.currentRows()).isEqualTo(30_000);
    // undrifted: D stays near the sampling noise of 500 reference values (D_crit 0.061)
    assertThat(x.scores().get("ks")).isLessThan(0.061 + 0.0133);
  }

  @Test
  void aRememberedExactKsPValueIsTheOneComputedAfresh() {
    // Three windows: the second repeats the first's values (so its statistic), the third differs.
    List<DriftReport> out = new ArrayList<>();
    VersionMonitor m = new VersionMonitor("m", "1", LAYOUT, config(200, 0, 0, 0), reference(),
        Set.of(), out::add);
    TapSlot first = slot(200, 1, new SplittableRandom(11));
    TapSlot shifted = slot(200, 3, new SplittableRandom(12));
    for (int i = 0; i < 200; i++) {
      shifted.values[i] = Double.doubleToRawLongBits(
          Double.longBitsToDouble(shifted.values[i]) + 0.3);
    }
    m.add(first);
    m.add(first);
    m.add(shifted);
    assertThat(out).hasSize(3);
    double[] ref = reference().profile().columns().get(0).sample();
    for (int w = 0; w < 3; w++) {
      TapSlot s = w < 2 ? first : shifted;
      double[] cur = new double[200];
      for (int i = 0; i < cur.length; i++) {
        cur[i] = Double.longBitsToDouble(s.values[i]);
      }
      DriftStatistics.Result fresh = DriftStatistics.ks(ref, cur);
      ColumnReport x = out.get(w).columns().get(0);
      assertThat(x.method()).isEqualTo("ks");
      assertThat(x.scores().get("ks")).isEqualTo(fresh.statistic());
      assertThat(x.scores().get("ks_p_value")).isEqualTo(fresh.pValue());
    }
    assertThat(out.get(2).columns().get(0).scores().get("ks_p_value"))
        .isNotEqualTo(out.get(0).columns().get(0).scores().get("ks_p_value"));
  }
}
