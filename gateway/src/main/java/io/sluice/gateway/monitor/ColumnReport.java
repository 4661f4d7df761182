package io.sluice.gateway.monitor;

import java.util.Map;

/**
 * One column's drift over one completed window.
 *
 * @param name the column's name
 * @param role "input" or "output"
 * @param kind "numeric" or "categorical"
 * @param method the test that decides drift, chosen as Evidently chooses it: "ks", "chisquare",
 *     "z", "wasserstein" or "jensenshannon"
 * @param statistic that test's statistic, NaN when the window had no values
 * @param pValue that test's p-value, NaN for a distance
 * @param threshold what the statistic or p-value is compared with
 * @param drifted whether the column drifted
 * @param exact false when KS and Wasserstein came from the quantile sketch (window over the raw
 *     limit)
 * @param referenceRows reference values of the column
 * @param currentRows window values of the column (finite for numeric)
 * @param scores every score that applies: ks, ks_p_value, psi, jensenshannon (numeric: over
 *     deciles), wasserstein (normalised), chisquare and chisquare_p_value (homogeneity, which
 *     decides), chisquare_gof and chisquare_gof_p_value (Evidently's goodness of fit),
 *     jensenshannon_values (a discrete numeric's values), z, z_p_value
 * @param quality data-quality counts: missing, nan, inf, out_of_range, unseen
 */
record ColumnReport(
    String name,
    String role,
    String kind,
    String method,
    double statistic,
    double pValue,
    double threshold,
    boolean drifted,
    boolean exact,
    long referenceRows,
    long currentRows,
    Map<String, Double> scores,
    Map<String, Long> quality) {}
