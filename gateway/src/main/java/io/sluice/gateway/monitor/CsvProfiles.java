package io.sluice.gateway.monitor;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.sluice.gateway.monitor.ColumnLayout.TensorColumns;
import io.sluice.gateway.monitor.ReferenceProfile.Column;
import io.sluice.gateway.monitor.ReferenceProfile.Dataset;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sluice profile}: a reference profile from a model's {@code config.pbtxt} and a CSV of its
 * training data. The CSV has a header; its columns are, in order, the columns of the inputs (in
 * the config's order, F columns for a {@code [F]} input), then optionally those of the outputs
 * (the model's answers on the same rows: predicted label, scores). Header names become the
 * feature names. An empty cell, {@code nan} or {@code inf} is a missing value.
 */
public final class CsvProfiles {
  private CsvProfiles() {}

  /**
   * Builds the profile.
   *
   * @throws IllegalArgumentException when the CSV's columns do not fit the config
   */
  public static ReferenceProfile build(
      ModelConfig config, Path csv, String datasetName, String datasetVersion, long seed)
      throws IOException {
    List<String> header;
    List<List<String>> rows = new ArrayList<>();
    CsvMapper mapper = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY);
    try (MappingIterator<List<String>> it =
        mapper.readerForListOf(String.class).readValues(csv.toFile())) {
      if (!it.hasNext()) {
        throw new IllegalArgumentException(csv + ": empty (expected: a header row)");
      }
      header = it.next();
      while (it.hasNext()) {
        List<String> row = it.next();
        if (row.size() == 1 && row.get(0).isEmpty()) {
          continue;
        }
        if (row.size() != header.size()) {
          throw new IllegalArgumentException(csv + ": row " + (rows.size() + 2) + " has "
              + row.size() + " cells (expected: " + header.size() + ", as the header)");
        }
        rows.add(row);
      }
    }
    ColumnLayout layout = ColumnLayout.of(config);
    int inputs = 0;
    for (TensorColumns t : layout.tensors()) {
      if (t.role() == ReferenceProfile.Role.INPUT) {
        inputs += t.width();
      }
    }
    if (header.size() < inputs || header.size() > layout.columnCount()) {
      throw new IllegalArgumentException(csv + ": " + header.size() + " columns (expected: "
          + inputs + " input columns of " + describe(layout) + ", optionally followed by up to "
          + (layout.columnCount() - inputs) + " output columns)");
    }
    ProfileBuilder builder = new ProfileBuilder(seed);
    List<Column> columns = new ArrayList<>();
    for (TensorColumns t : layout.tensors()) {
      for (int i = 0; i < t.width(); i++) {
        int c = t.firstColumn() + i;
        if (c >= header.size()) {
          break;
        }
        String name = header.get(c).strip();
        if (t.categorical()) {
          String[] values = new String[rows.size()];
          for (int r = 0; r < values.length; r++) {
            values[r] = rows.get(r).get(c);
          }
          columns.add(builder.categorical(name, t.role(), t.tensor(), i, values));
        } else {
          double[] values = new double[rows.size()];
          for (int r = 0; r < values.length; r++) {
            values[r] = parse(rows.get(r).get(c), csv, r + 2, name);
          }
          columns.add(builder.numeric(name, t.role(), t.tensor(), i, values));
        }
      }
    }
    return new ReferenceProfile(ReferenceProfile.FORMAT,
        new Dataset(datasetName, rows.size(), datasetVersion, "profile"), columns);
  }

  private static double parse(String cell, Path csv, int line, String column) {
    String s = cell.strip();
    if (s.isEmpty()) {
      return Double.NaN;
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      switch (s.toLowerCase(java.util.Locale.ROOT)) {
        case "nan":
          return Double.NaN;
        case "inf":
        case "+inf":
          return Double.POSITIVE_INFINITY;
        case "-inf":
          return Double.NEGATIVE_INFINITY;
        default:
          throw new IllegalArgumentException(csv + ":" + line + ": column '" + column + "': '"
              + cell + "' (expected: a number)");
      }
    }
  }

  private static String describe(ColumnLayout layout) {
    StringBuilder out = new StringBuilder();
    for (TensorColumns t : layout.tensors()) {
      if (t.role() == ReferenceProfile.Role.INPUT) {
        out.append(out.length() == 0 ? "" : ", ").append(t.tensor()).append(" [")
            .append(t.width()).append("]");
      }
    }
    return out.toString();
  }
}
