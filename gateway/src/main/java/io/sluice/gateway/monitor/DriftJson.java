package io.sluice.gateway.monitor;

import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.gateway.model.Selection;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;

/** Writes the drift endpoint's document (shape in the README, after DRIFT.md §6.4). */
final class DriftJson {
  private DriftJson() {}

  static void write(JsonGenerator g, VersionMonitor m, DriftConfig config) throws IOException {
    DriftReport last = m.last();
    g.writeStartObject();
    g.writeStringField("model", m.model);
    g.writeStringField("version", m.version);
    g.writeStringField("status", m.bootstrapping() ? "collecting_reference"
        : last == null ? "first_window" : "ready");
    g.writeObjectFieldStart("reference");
    ReferenceProfile.Dataset d = m.dataset();
    if (d != null) {
      g.writeStringField("name", d.name());
      g.writeNumberField("rows", d.rows());
      g.writeStringField("lineage", d.version());
      g.writeStringField("source", d.source());
      g.writeStringField("profile_hash", m.profileHash());
    } else {
      g.writeStringField("source", "live");
      g.writeNumberField("rows_needed", config.bootstrapRows());
    }
    g.writeEndObject();
    g.writeObjectFieldStart("current_window");
    long start = m.currentStartMillis();
    if (start >= 0) {
      g.writeStringField("start", Instant.ofEpochMilli(start).toString());
    } else {
      g.writeNullField("start");
    }
    g.writeNumberField("rows", m.currentRows());
    g.writeNumberField("target_rows", config.windowRows());
    g.writeNumberField("target_seconds", config.windowSeconds());
    g.writeStringField("kind", config.panes() == 1 ? "tumbling" : "sliding");
    g.writeEndObject();
    g.writeNumberField("windows_completed", m.windowsCompleted());
    writePerformance(g, m);
    if (last == null) {
      g.writeNullField("window");
      g.writeNullField("dataset");
      g.writeArrayFieldStart("features");
      g.writeEndArray();
      g.writeEndObject();
      return;
    }
    writeReport(g, last);
    g.writeEndObject();
  }

  /**
   * Ground truth so far: labels, coverage, accuracy or MAE over every route, then the same per
   * route under {@code "routes"} (only routes with labels); null without labels.
   */
  static void writePerformance(JsonGenerator g, VersionMonitor m) throws IOException {
    long labelled = 0;
    long predictions = 0;
    long correct = 0;
    double absError = 0;
    for (Selection.Route route : Selection.Route.values()) {
      VersionMonitor.Performance p = m.performance(route);
      labelled += p.labelled.sum();
      predictions += p.predictions.sum();
      correct += p.correct.sum();
      absError += p.absError.sum();
    }
    if (labelled == 0) {
      g.writeNullField("performance");
      return;
    }
    ColumnMonitor c = m.predictionColumn();
    boolean classification = c != null && c.ref.hasCategories();
    g.writeObjectFieldStart("performance");
    g.writeStringField("prediction", c == null ? null : c.ref.name());
    writeScores(g, classification, labelled, predictions, correct, absError);
    g.writeObjectFieldStart("routes");
    for (Selection.Route route : Selection.Route.values()) {
      VersionMonitor.Performance p = m.performance(route);
      long n = p.labelled.sum();
      if (n > 0) {
        g.writeObjectFieldStart(route.label());
        writeScores(g, classification, n, p.predictions.sum(), p.correct.sum(),
            p.absError.sum());
        g.writeEndObject();
      }
    }
    g.writeEndObject();
    g.writeEndObject();
  }

  private static void writeScores(JsonGenerator g, boolean classification, long labelled,
      long predictions, long correct, double absError) throws IOException {
    g.writeNumberField("labels", labelled);
    g.writeNumberField("coverage", predictions == 0 ? 0 : (double) labelled / predictions);
    if (classification) {
      g.writeNumberField("accuracy", (double) correct / labelled);
    } else {
      g.writeNumberField("mae", absError / labelled);
    }
  }

  /** The completed window's fields, inside an object already started. */
  static void writeReport(JsonGenerator g, DriftReport r) throws IOException {
    g.writeObjectFieldStart("window");
    g.writeStringField("start", r.windowStart().toString());
    g.writeStringField("end", r.windowEnd().toString());
    g.writeNumberField("rows", r.rows());
    g.writeEndObject();
    g.writeObjectFieldStart("dataset");
    g.writeNumberField("n_columns", r.columns().size());
    g.writeNumberField("n_drifted", r.nDrifted());
    g.writeNumberField("share_drifted", r.shareDrifted());
    g.writeNumberField("share_threshold", r.shareThreshold());
    g.writeBooleanField("drift", r.datasetDrift());
    g.writeArrayFieldStart("drifted_columns");
    for (String c : r.driftedColumns()) {
      g.writeString(c);
    }
    g.writeEndArray();
    g.writeBooleanField("alert", r.alerting());
    g.writeEndObject();
    g.writeArrayFieldStart("features");
    for (ColumnReport c : r.columns()) {
      g.writeStartObject();
      g.writeStringField("name", c.name());
      g.writeStringField("role", c.role());
      g.writeStringField("type", c.kind());
      g.writeStringField("method", c.method());
      number(g, "statistic", c.statistic());
      number(g, "p_value", c.pValue());
      g.writeNumberField("threshold", c.threshold());
      g.writeBooleanField("drift", c.drifted());
      g.writeBooleanField("exact", c.exact());
      g.writeNumberField("n_ref", c.referenceRows());
      g.writeNumberField("n_cur", c.currentRows());
      long rows = c.currentRows() + c.quality().get("missing") + c.quality().get("nan")
          + c.quality().get("inf");
      g.writeNumberField("missing_rate", rows == 0 ? 0
          : (double) (c.quality().get("missing") + c.quality().get("nan")
              + c.quality().get("inf")) / rows);
      g.writeObjectFieldStart("scores");
      for (Map.Entry<String, Double> e : c.scores().entrySet()) {
        number(g, e.getKey(), e.getValue());
      }
      g.writeEndObject();
      g.writeObjectFieldStart("quality");
      for (Map.Entry<String, Long> e : c.quality().entrySet()) {
        g.writeNumberField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  /** As {@link #number}, inside an array. */
  static void number0(JsonGenerator g, double v) throws IOException {
    if (Double.isNaN(v)) {
      g.writeNull();
    } else if (Double.isInfinite(v)) {
      g.writeString(v > 0 ? "inf" : "-inf");
    } else {
      g.writeNumber(v);
    }
  }

  /** JSON has no NaN or infinity: NaN is null, an infinite statistic the string "inf". */
  static void number(JsonGenerator g, String field, double v) throws IOException {
    if (Double.isNaN(v)) {
      g.writeNullField(field);
    } else if (Double.isInfinite(v)) {
      g.writeStringField(field, v > 0 ? "inf" : "-inf");
    } else {
      g.writeNumberField(field, v);
    }
  }
}
