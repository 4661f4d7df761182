package io.sluice.gateway.monitor;

import java.time.Instant;
import java.util.List;

/**
 * A completed window's drift for one model version: the window, the reference it was compared
 * with, every column, and the dataset verdict (Evidently's: drifted when the share of drifted
 * columns reaches the threshold).
 *
 * @param model the model
 * @param version the version
 * @param windowStart when the window's first row arrived
 * @param windowEnd when it closed
 * @param rows rows in the window
 * @param reference the reference's data set (name, rows, lineage, source)
 * @param profileHash hash of the reference profile
 * @param columns one report per column
 * @param nDrifted drifted columns
 * @param shareDrifted drifted ÷ columns
 * @param shareThreshold the share at which the dataset counts as drifted
 * @param datasetDrift whether it does
 * @param alertColumns the drifted columns among those named to alert on their own
 */
record DriftReport(
    String model,
    String version,
    Instant windowStart,
    Instant windowEnd,
    long rows,
    ReferenceProfile.Dataset reference,
    String profileHash,
    List<ColumnReport> columns,
    int nDrifted,
    double shareDrifted,
    double shareThreshold,
    boolean datasetDrift,
    List<String> alertColumns) {

  /** Whether this window raises an alert: the dataset drifted or a named column did. */
  boolean alerting() {
    return datasetDrift || !alertColumns.isEmpty();
  }

  List<String> driftedColumns() {
    return columns.stream().filter(ColumnReport::drifted).map(ColumnReport::name).toList();
  }
}
