package io.sluice.gateway.monitor;

import io.sluice.gateway.model.Selection;
import io.sluice.gateway.monitor.ColumnLayout.TensorColumns;
import io.sluice.gateway.monitor.ReferenceProfile.Column;
import io.sluice.gateway.monitor.ReferenceProfile.Dataset;
import io.sluice.gateway.monitor.ReferenceProfile.Kind;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One model version's monitor: its columns against the reference, the panes of its current
 * window, and the report of the last completed window. Owned by the monitor thread; the drift
 * endpoint and the metrics read only the volatile fields.
 *
 * <p>A window is a ring of {@link DriftConfig#panes()} panes; a pane closes after {@code
 * paneRows} rows or {@code paneSeconds} seconds. A tumbling window is one pane and is scored
 * when it closes; a sliding one is scored each time a pane closes once the ring is full. Without
 * a reference profile, the first {@code bootstrapRows} rows are collected and become the
 * reference (reported with source "live").
 */
final class VersionMonitor {
  final String model;
  final String version;
  private final ColumnLayout layout;
  private final DriftConfig config;
  private final Set<String> alertColumns;
  private final Consumer<DriftReport> onWindow;
  /** Per layout column, or null where the profile has no such column. */
  private ColumnMonitor[] columns;
  private volatile Dataset dataset;
  private volatile String profileHash;
  private Bootstrap bootstrap;
  private final ArrayDeque<PaneSet> ring = new ArrayDeque<>();
  private PaneSet pane;
  /** The last pane evicted from the ring, reused by the next {@link #openPane}; or null. */
  private PaneSet spare;
  private long paneStartMillis = -1;
  private volatile long currentRows;
  private volatile long currentStartMillis = -1;
  private volatile DriftReport last;
  private volatile long windowsCompleted;

  VersionMonitor(String model, String version, ColumnLayout layout, DriftConfig config,
      ProfileJson.Loaded profile, Set<String> alertColumns, Consumer<DriftReport> onWindow) {
    this.model = model;
    this.version = version;
    this.layout = layout;
    this.config = config;
    this.alertColumns = alertColumns;
    this.onWindow = onWindow;
    if (profile != null) {
      useReference(profile.profile(), profile.hash(), false);
    } else {
      bootstrap = new Bootstrap(layout.columnCount(), config.bootstrapRows());
    }
  }

  private void useReference(ReferenceProfile profile, String hash, boolean hashedNames) {
    columns = new ColumnMonitor[layout.columnCount()];
    spare = null; // its panes were shaped by the previous columns
    for (TensorColumns t : layout.tensors()) {
      for (int i = 0; i < t.width(); i++) {
        final int index = i;
        Column c = profile.columns().stream()
            .filter(x -> x.tensor().equals(t.tensor()) && x.index() == index
                && (x.kind() == Kind.CATEGORICAL) == t.categorical())
            .findFirst().orElse(null);
        if (c != null) {
          columns[t.firstColumn() + i] = new ColumnMonitor(c, hashedNames);
        }
      }
    }
    this.dataset = profile.dataset();
    this.profileHash = hash;
  }

  /** Files one slot's rows. */
  void add(TapSlot slot) {
    if (bootstrap != null) {
      bootstrap(slot);
      return;
    }
    List<TensorColumns> tensors = layout.tensors();
    int rows = slot.rows;
    int row = 0;
    while (row < rows) {
      if (pane == null) {
        openPane(slot.epochMillis);
      }
      int take = rows - row;
      if (config.paneRows() > 0) {
        take = (int) Math.min(take, config.paneRows() - pane.rows);
      }
      int at = 0;
      for (int ti = 0; ti < tensors.size(); ti++) {
        TensorColumns t = tensors.get(ti);
        if (slot.tensorRows[ti] < 0) {
          for (int c = 0; c < t.width(); c++) {
            ColumnMonitor m = columns[t.firstColumn() + c];
            if (m != null) {
              m.addMissing(pane.columns[t.firstColumn() + c], take);
            }
          }
          continue;
        }
        for (int r = row; r < row + take; r++) {
          for (int c = 0; c < t.width(); c++) {
            ColumnMonitor m = columns[t.firstColumn() + c];
            if (m == null) {
              continue;
            }
            long bits = slot.values[at + r * t.width() + c];
            if (t.categorical()) {
              m.addCategory(pane.columns[t.firstColumn() + c], bits, bits == 0);
            } else {
              m.addNumeric(pane.columns[t.firstColumn() + c], Double.longBitsToDouble(bits));
            }
          }
        }
        at += rows * t.width();
      }
      row += take;
      pane.rows += take;
      currentRows += take;
      if (config.paneRows() > 0 && pane.rows >= config.paneRows()) {
        closePane(slot.epochMillis);
      }
    }
  }

  /** Closes a pane whose time is up. */
  void tick(long nowMillis) {
    if (pane != null && config.paneSeconds() > 0
        && nowMillis - paneStartMillis >= config.paneSeconds() * 1000L) {
      closePane(nowMillis);
    }
  }

  private void openPane(long nowMillis) {
    if (spare != null) {
      // The pane that last left the ring: its arrays (10,000 raw doubles per numeric column in
      // all) are cleared and refilled rather than allocated again for every pane.
      pane = spare;
      spare = null;
      pane.rows = 0;
      for (ColumnPane column : pane.columns) {
        if (column != null) {
          column.clear();
        }
      }
    } else {
      pane = new PaneSet(columns.length);
      int rawLimit = Math.max(1, DriftConfig.RAW_LIMIT / config.panes());
      for (int c = 0; c < columns.length; c++) {
        if (columns[c] != null) {
          pane.columns[c] = columns[c].newPane(rawLimit);
        }
      }
    }
    paneStartMillis = nowMillis;
    pane.startMillis = nowMillis;
    if (ring.isEmpty()) {
      currentStartMillis = nowMillis;
    }
  }

  private void closePane(long nowMillis) {
    ring.addLast(pane);
    pane = null;
    if (ring.size() < config.panes()) {
      return;
    }
    long windowStart = ring.peekFirst().startMillis;
    DriftReport report = evaluate(windowStart, nowMillis);
    last = report;
    windowsCompleted++;
    // The report holds sums and merged sketches of its own, never a pane's arrays.
    spare = ring.removeFirst();
    if (config.panes() == 1) {
      currentRows = 0;
      currentStartMillis = -1;
    } else {
      currentRows = 0;
      for (PaneSet p : ring) {
        currentRows += p.rows;
      }
      currentStartMillis = ring.isEmpty() ? -1 : ring.peekFirst().startMillis;
    }
    onWindow.accept(report);
  }

  /** One pane: a {@link ColumnPane} per monitored column and the rows it holds. */
  private static final class PaneSet {
    final ColumnPane[] columns;
    long rows;
    long startMillis;

    PaneSet(int n) {
      columns = new ColumnPane[n];
    }
  }

  private DriftReport evaluate(long startMillis, long endMillis) {
    List<ColumnReport> reports = new ArrayList<>();
    long rows = 0;
    for (int c = 0; c < columns.length; c++) {
      if (columns[c] == null) {
        continue;
      }
      List<ColumnPane> panes = new ArrayList<>(ring.size());
      for (PaneSet p : ring) {
        panes.add(p.columns[c]);
      }
      ColumnReport r = columns[c].evaluate(panes, config);
      reports.add(r);
    }
    for (PaneSet p : ring) {
      rows += p.rows;
    }
    int drifted = (int) reports.stream().filter(ColumnReport::drifted).count();
    double share = reports.isEmpty() ? 0 : (double) drifted / reports.size();
    List<String> named = reports.stream()
        .filter(r -> r.drifted() && alertColumns.contains(r.name()))
        .map(ColumnReport::name).toList();
    return new DriftReport(model, version, Instant.ofEpochMilli(startMillis),
        Instant.ofEpochMilli(endMillis), rows, dataset, profileHash, reports, drifted, share,
        config.shareThreshold(), !reports.isEmpty() && share >= config.shareThreshold(), named);
  }

  // ------------------------------------------------------------------ the live reference

  private void bootstrap(TapSlot slot) {
    List<TensorColumns> tensors = layout.tensors();
    int at = 0;
    int rows = Math.min(slot.rows, bootstrap.room());
    for (int ti = 0; ti < tensors.size(); ti++) {
      TensorColumns t = tensors.get(ti);
      if (slot.tensorRows[ti] < 0) {
        continue;
      }
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < t.width(); c++) {
          bootstrap.values[t.firstColumn() + c][bootstrap.rows + r] =
              slot.values[at + r * t.width() + c];
        }
      }
      at += slot.rows * t.width();
    }
    bootstrap.rows += rows;
    if (bootstrap.room() == 0) {
      ProfileBuilder builder = new ProfileBuilder(0);
      List<Column> built = new ArrayList<>();
      for (TensorColumns t : tensors) {
        for (int c = 0; c < t.width(); c++) {
          long[] v = bootstrap.values[t.firstColumn() + c];
          if (t.categorical()) {
            String[] names = new String[v.length];
            for (int i = 0; i < v.length; i++) {
              names[i] = v[i] == 0 ? "" : ColumnMonitor.hashName(v[i]);
            }
            built.add(builder.categorical(t.defaultName(c), t.role(), t.tensor(), c, names));
          } else {
            double[] d = Arrays.stream(v).mapToDouble(Double::longBitsToDouble).toArray();
            built.add(builder.numeric(t.defaultName(c), t.role(), t.tensor(), c, d));
          }
        }
      }
      ReferenceProfile profile = new ReferenceProfile(ReferenceProfile.FORMAT,
          new Dataset("first " + bootstrap.rows + " live rows", bootstrap.rows, null, "live"),
          built);
      bootstrap = null;
      useReference(profile, "live", true);
      if (rows < slot.rows) {
        // the rest of this request belongs to the first window
        TapSlot rest = new TapSlot(slot.values.length, slot.tensorRows.length);
        rest.epochMillis = slot.epochMillis;
        rest.rows = slot.rows - rows;
        int src = 0;
        int dst = 0;
        for (int ti = 0; ti < tensors.size(); ti++) {
          TensorColumns t = tensors.get(ti);
          rest.tensorRows[ti] = slot.tensorRows[ti];
          if (slot.tensorRows[ti] < 0) {
            continue;
          }
          int w = t.width();
          System.arraycopy(slot.values, src + rows * w, rest.values, dst, rest.rows * w);
          src += slot.rows * w;
          dst += rest.rows * w;
        }
        add(rest);
      }
    }
  }

  /** The first live rows, kept raw until they become the reference. */
  private static final class Bootstrap {
    final long[][] values;
    int rows;

    Bootstrap(int columns, int limit) {
      values = new long[columns][limit];
    }

    int room() {
      return values.length == 0 ? 0 : values[0].length - rows;
    }
  }

  // ------------------------------------------------------------------ read by other threads

  DriftReport last() {
    return last;
  }

  long currentRows() {
    return currentRows;
  }

  long currentStartMillis() {
    return currentStartMillis;
  }

  long windowsCompleted() {
    return windowsCompleted;
  }

  boolean bootstrapping() {
    return bootstrap != null;
  }

  Dataset dataset() {
    return dataset;
  }

  String profileHash() {
    return profileHash;
  }

  /** One per route (stable, canary, pinned): ground truth is kept per (version, route). */
  private final Performance[] performance = newPerformance();

  private static Performance[] newPerformance() {
    Performance[] p = new Performance[Selection.Route.values().length];
    for (int i = 0; i < p.length; i++) {
      p[i] = new Performance();
    }
    return p;
  }

  /**
   * Live accuracy (a categorical or discrete prediction: label equals prediction) or mean
   * absolute error (a numeric one) from ground truth; any thread adds, any reads.
   */
  static final class Performance {
    final java.util.concurrent.atomic.LongAdder predictions =
        new java.util.concurrent.atomic.LongAdder();
    final java.util.concurrent.atomic.LongAdder labelled =
        new java.util.concurrent.atomic.LongAdder();
    final java.util.concurrent.atomic.LongAdder correct =
        new java.util.concurrent.atomic.LongAdder();
    final java.util.concurrent.atomic.DoubleAdder absError =
        new java.util.concurrent.atomic.DoubleAdder();

    void score(double predicted, double truth) {
      labelled.increment();
      if (predicted == truth) {
        correct.increment();
      }
      absError.add(Math.abs(predicted - truth));
    }
  }

  /** The ground truth of the primary answers this version gave on {@code route}. */
  Performance performance(Selection.Route route) {
    return performance[route.ordinal()];
  }

  /**
   * The column scored against ground truth: the first output column (null before the reference
   * is known, or without outputs); classification when it is categorical or discrete.
   */
  ColumnMonitor predictionColumn() {
    ColumnMonitor[] cs = columns;
    if (cs == null) {
      return null;
    }
    for (TensorColumns t : layout.tensors()) {
      if (t.role() == ReferenceProfile.Role.OUTPUT && !t.categorical()) {
        return cs[t.firstColumn()];
      }
    }
    return null;
  }

  /** The first row's value of the prediction column in {@code slot}, NaN when absent. */
  double predicted(TapSlot slot) {
    int at = 0;
    List<TensorColumns> tensors = layout.tensors();
    for (int ti = 0; ti < tensors.size(); ti++) {
      TensorColumns t = tensors.get(ti);
      if (slot.tensorRows[ti] < 0) {
        continue;
      }
      if (t.role() == ReferenceProfile.Role.OUTPUT && !t.categorical()) {
        return Double.longBitsToDouble(slot.values[at]);
      }
      at += slot.rows * t.width();
    }
    return Double.NaN;
  }

  ColumnLayout layout() {
    return layout;
  }

  /** Monitor thread only: {@link #columnNames}, until the reference changes. */
  private List<String> names;
  private ColumnMonitor[] namesFor;

  /**
   * Each layout column's name: the profile's, else {@code tensor[i]}. Monitor thread (the
   * prediction log, once per record): kept until the live reference replaces the columns.
   */
  List<String> columnNames() {
    if (names == null || namesFor != columns) {
      namesFor = columns;
      names = List.copyOf(namesOf(columns));
    }
    return names;
  }

  private List<String> namesOf(ColumnMonitor[] cs) {
    List<String> out = new ArrayList<>(layout.columnCount());
    for (TensorColumns t : layout.tensors()) {
      for (int c = 0; c < t.width(); c++) {
        ColumnMonitor m = cs == null ? null : cs[t.firstColumn() + c];
        out.add(m == null ? t.defaultName(c) : m.ref.name());
      }
    }
    return out;
  }

  /** The column monitors (after the reference is known), for the metrics. */
  List<ColumnMonitor> columns() {
    ColumnMonitor[] cs = columns;
    if (cs == null) {
      return List.of();
    }
    List<ColumnMonitor> out = new ArrayList<>();
    for (ColumnMonitor c : cs) {
      if (c != null) {
        out.add(c);
      }
    }
    return out;
  }
}
