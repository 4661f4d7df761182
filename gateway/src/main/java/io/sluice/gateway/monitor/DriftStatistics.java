package io.sluice.gateway.monitor;

import org.apache.commons.statistics.distribution.NormalDistribution;
import org.apache.commons.statistics.inference.ChiSquareTest;
import org.apache.commons.statistics.inference.KolmogorovSmirnovTest;
import org.apache.commons.statistics.inference.PValueMethod;
import org.apache.commons.statistics.inference.SignificanceResult;

/**
 * The drift scores, as scipy and Evidently define them ({@code ../shared/DRIFT.md} §1); pure
 * functions. p-values come from Apache Commons Statistics, which reproduces scipy (commons-math3
 * does not, DRIFT.md §2.5); the distances are the short formulas themselves.
 */
final class DriftStatistics {
  /** Evidently's floor for an empty bin's share in PSI. */
  static final double PSI_EPSILON = 1e-4;
  /** scipy's {@code ks_2samp} is exact up to this many values per side, asymptotic beyond. */
  static final int KS_EXACT_LIMIT = 10_000;

  private static final KolmogorovSmirnovTest KS_EXACT =
      KolmogorovSmirnovTest.withDefaults().with(PValueMethod.EXACT);
  private static final KolmogorovSmirnovTest KS_ASYMPTOTIC =
      KolmogorovSmirnovTest.withDefaults().with(PValueMethod.ASYMPTOTIC);
  private static final ChiSquareTest CHI_SQUARE = ChiSquareTest.withDefaults();
  private static final NormalDistribution NORMAL = NormalDistribution.of(0, 1);

  private DriftStatistics() {}

  /** A statistic and its p-value. */
  record Result(double statistic, double pValue) {}

  /** Two-sample KS as scipy's {@code ks_2samp(method="auto")}: exact up to 10,000 a side. */
  static Result ks(double[] reference, double[] current) {
    KolmogorovSmirnovTest test =
        Math.max(reference.length, current.length) <= KS_EXACT_LIMIT ? KS_EXACT : KS_ASYMPTOTIC;
    KolmogorovSmirnovTest.TwoResult r = test.test(reference, current);
    return new Result(r.getStatistic(), r.getPValue());
  }

  /** The two-sample KS statistic alone (microseconds; the exact p-value costs milliseconds). */
  static double ksStatistic(double[] reference, double[] current) {
    return KS_EXACT.statistic(reference, current);
  }

  /**
   * The KS statistic with the cheap limit p-value ({@link #ksLimitPValue}), for a column where
   * KS is shown but does not decide: the exact or finite-n distributions cost milliseconds per
   * column at thousands of values, the limit microseconds.
   */
  static Result ksShown(double[] reference, double[] current) {
    double d = ksStatistic(reference, current);
    return new Result(d, ksLimitPValue(d, reference.length, current.length));
  }

  /**
   * The p-value of a KS statistic {@code d} found from bins or a sketch, where the exact
   * distribution does not apply: the Kolmogorov limit with Stephens' correction, {@code
   * Q((√nₑ + 0.12 + 0.11/√nₑ)·d)}, nₑ = nm/(n+m) (DRIFT.md §2.4; within 1–3% of scipy).
   */
  static double ksLimitPValue(double d, long n, long m) {
    double ne = (double) n * m / (n + m);
    double sqrt = Math.sqrt(ne);
    return kolmogorovQ((sqrt + 0.12 + 0.11 / sqrt) * d);
  }

  /** P(K > λ) for the Kolmogorov distribution, two series switched at λ = 1.18. */
  static double kolmogorovQ(double lambda) {
    if (lambda <= 0) {
      return 1;
    }
    if (lambda >= 1.18) {
      double sum = 0;
      for (int k = 1; k <= 100; k++) {
        double term = Math.exp(-2.0 * k * k * lambda * lambda);
        sum += (k % 2 == 1) ? term : -term;
        if (term < 1e-17) {
          break;
        }
      }
      return Math.min(1, Math.max(0, 2 * sum));
    }
    double sum = 0;
    for (int k = 1; k <= 20; k++) {
      double odd = 2 * k - 1;
      sum += Math.exp(-odd * odd * Math.PI * Math.PI / (8 * lambda * lambda));
    }
    return Math.min(1, Math.max(0, 1 - Math.sqrt(2 * Math.PI) / lambda * sum));
  }

  /**
   * Chi-square goodness of fit of the current counts against the reference's shares, as
   * Evidently's {@code chisquare} (scipy's {@code chisquare} with expected = reference counts
   * scaled to the current total). A bin empty in both is left out; a current count in a bin the
   * reference never saw makes the statistic infinite and p zero, as in scipy.
   */
  static Result chiSquare(long[] reference, long[] current) {
    int k = 0;
    for (int i = 0; i < reference.length; i++) {
      if (reference[i] == 0 && current[i] > 0) {
        return new Result(Double.POSITIVE_INFINITY, 0);
      }
      if (reference[i] > 0) {
        k++;
      }
    }
    if (k < 2) {
      return new Result(0, 1);
    }
    double[] expected = new double[k];
    long[] observed = new long[k];
    int j = 0;
    for (int i = 0; i < reference.length; i++) {
      if (reference[i] > 0) {
        expected[j] = reference[i];
        observed[j++] = current[i];
      }
    }
    SignificanceResult r = CHI_SQUARE.test(expected, observed);
    return new Result(r.getStatistic(), r.getPValue());
  }

  /**
   * Chi-square test of homogeneity on the 2×K table [reference; current], scipy's {@code
   * chi2_contingency(correction=False)} (alibi-detect's and NannyML's chi-square). Unlike the
   * goodness of fit it allows for the reference's own sampling noise, so with equal-sized
   * samples its false-positive rate is the nominal one; it decides a column's "chisquare".
   */
  static Result chiSquareHomogeneity(long[] reference, long[] current) {
    int k = 0;
    for (int i = 0; i < reference.length; i++) {
      if (reference[i] + current[i] > 0) {
        k++;
      }
    }
    if (k < 2 || sum(reference) == 0 || sum(current) == 0) {
      return new Result(0, 1);
    }
    long[][] table = new long[2][k];
    int j = 0;
    for (int i = 0; i < reference.length; i++) {
      if (reference[i] + current[i] > 0) {
        table[0][j] = reference[i];
        table[1][j++] = current[i];
      }
    }
    SignificanceResult r = CHI_SQUARE.test(table);
    return new Result(r.getStatistic(), r.getPValue());
  }

  /**
   * Evidently's {@code z}: two proportions, the first category coded 0 and the rest 1; p is
   * two-sided, 1 when both samples are constant and equal.
   */
  static Result zTest(long[] reference, long[] current) {
    long nRef = sum(reference);
    long nCur = sum(current);
    double onesRef = nRef - reference[0];
    double onesCur = nCur - current[0];
    double p1 = onesRef / nRef;
    double p2 = onesCur / nCur;
    double pooled = (onesRef + onesCur) / (nRef + nCur);
    double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / nRef + 1.0 / nCur));
    if (se == 0) {
      return new Result(0, p1 == p2 ? 1 : 0);
    }
    double z = (p1 - p2) / se;
    return new Result(z, 2 * NORMAL.survivalProbability(Math.abs(z)));
  }

  /** PSI = Σ (c − r)·ln(c/r) over bins, each share floored at {@value #PSI_EPSILON}. */
  static double psi(long[] reference, long[] current) {
    double nRef = sum(reference);
    double nCur = sum(current);
    double psi = 0;
    for (int i = 0; i < reference.length; i++) {
      double r = Math.max(reference[i] / nRef, PSI_EPSILON);
      double c = Math.max(current[i] / nCur, PSI_EPSILON);
      psi += (c - r) * Math.log(c / r);
    }
    return psi;
  }

  /** Jensen–Shannon distance, natural log (scipy's {@code jensenshannon}, Evidently's base). */
  static double jensenShannon(long[] reference, long[] current) {
    double nRef = sum(reference);
    double nCur = sum(current);
    double js = 0;
    for (int i = 0; i < reference.length; i++) {
      double r = reference[i] / nRef;
      double c = current[i] / nCur;
      double m = (r + c) / 2;
      if (r > 0) {
        js += 0.5 * r * Math.log(r / m);
      }
      if (c > 0) {
        js += 0.5 * c * Math.log(c / m);
      }
    }
    return Math.sqrt(Math.max(0, js));
  }

  /**
   * KS statistic and Wasserstein-1 between two weighted sorted samples, walking their merged
   * values once. {@code aCum}/{@code bCum} are cumulative weights (null: one per value).
   */
  static double[] ksAndWasserstein(double[] a, long[] aCum, double[] b, long[] bCum) {
    double aTotal = aCum == null ? a.length : aCum[aCum.length - 1];
    double bTotal = bCum == null ? b.length : bCum[bCum.length - 1];
    int i = 0;
    int j = 0;
    double d = 0;
    double w = 0;
    while (i < a.length || j < b.length) {
      double x = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
      while (i < a.length && a[i] == x) {
        i++;
      }
      while (j < b.length && b[j] == x) {
        j++;
      }
      double fa = (i == 0 ? 0 : (aCum == null ? i : aCum[i - 1])) / aTotal;
      double fb = (j == 0 ? 0 : (bCum == null ? j : bCum[j - 1])) / bTotal;
      double gap = Math.abs(fa - fb);
      d = Math.max(d, gap);
      if (i < a.length || j < b.length) {
        double next = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
        w += gap * (next - x);
      }
    }
    return new double[] {d, w};
  }

  /** Wasserstein-1 between two samples, sorted here ({@code scipy.stats.wasserstein_distance}). */
  static double wasserstein(double[] referenceSorted, double[] currentSorted) {
    return ksAndWasserstein(referenceSorted, null, currentSorted, null)[1];
  }

  /** Evidently's normalisation: W1 over the reference's population std, floored at 0.001. */
  static double normalisedWasserstein(double w1, double referenceStd) {
    return w1 / Math.max(referenceStd, 0.001);
  }

  static long sum(long[] counts) {
    long s = 0;
    for (long c : counts) {
      s += c;
    }
    return s;
  }
}
