package io.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints a JMH JSON result file ({@code -rf json}) as the short tables {@code bench/run.sh} shows:
 * the engine baseline with items/s and the gain over batch 1, the batcher with requests/s, the
 * codecs in µs, and anything else as benchmark, parameters and score. Scores are converted to µs
 * per operation whatever time unit or mode the run used ({@code avgt}, {@code sample}, {@code
 * ss} or {@code thrpt}).
 *
 * <p>The first column and everything derived from it (items/s, requests/s, gains) is JMH's
 * median: of the iterations' scores in average-time mode, of the samples in sample mode. One
 * iteration that other work on the machine stalled moves the mean (JMH's score, printed next to
 * it with its 99.9% error, "n/a" for fewer than two iterations) but not the median, so the two
 * disagreeing is itself the sign of a disturbed run.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar io.sluice.bench.ResultTable FILE}.
 */
public final class ResultTable {
  private static final String B0 = EngineBaselineBenchmark.class.getName() + ".";
  private static final String BATCHER = BatcherOverheadBenchmark.class.getName() + ".";

  private ResultTable() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: ResultTable <jmh-result.json>");
      System.exit(2);
    }
    print(read(Paths.get(args[0])), System.out);
  }

  /** One benchmark score: where it came from, its median and its mean in µs per operation. */
  record Row(String benchmark, String method, Map<String, String> params, int threads,
      double micros, double meanMicros, double errorMicros) {
    String param(String name) {
      return params.getOrDefault(name, "");
    }
  }

  static List<Row> read(Path file) throws IOException {
    JsonNode root = new ObjectMapper().readTree(file.toFile());
    List<Row> rows = new ArrayList<>();
    for (JsonNode r : root) {
      String benchmark = r.path("benchmark").asText();
      Map<String, String> params = new HashMap<>();
      for (Map.Entry<String, JsonNode> e : r.path("params").properties()) {
        params.put(e.getKey(), e.getValue().asText());
      }
      JsonNode metric = r.path("primaryMetric");
      String unit = metric.path("scoreUnit").asText();
      double score = metric.path("score").asDouble();
      double error = metric.path("scoreError").asDouble();
      JsonNode median = metric.path("scorePercentiles").path("50.0");
      double meanMicros = toMicros(score, unit);
      double micros = median.isMissingNode() ? meanMicros : toMicros(median.asDouble(), unit);
      // An error bar scales with the score, also through the inversion of a throughput.
      double errorMicros = score != 0 ? meanMicros * error / score : Double.NaN;
      String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
      rows.add(new Row(benchmark, method, params, r.path("threads").asInt(1), micros,
          meanMicros, errorMicros));
    }
    return rows;
  }

  /** µs per operation from JMH's {@code "us/op"}-style or {@code "ops/ms"}-style unit. */
  static double toMicros(double score, String unit) {
    String[] parts = unit.split("/");
    if (parts.length != 2) {
      throw new IllegalArgumentException("score unit: '" + unit + "' (expected: like us/op)");
    }
    if (parts[1].equals("op")) {
      return score * microsPer(parts[0]);
    }
    if (parts[0].equals("ops")) {
      return microsPer(parts[1]) / score;
    }
    throw new IllegalArgumentException("score unit: '" + unit + "' (expected: like us/op)");
  }

  private static double microsPer(String timeUnit) {
    switch (timeUnit) {
      case "ns":
        return 1e-3;
      case "us":
        return 1;
      case "ms":
        return 1e3;
      case "s":
        return 1e6;
      case "min":
        return 60e6;
      default:
        throw new IllegalArgumentException("time unit: '" + timeUnit + "'");
    }
  }

  static void print(List<Row> rows, PrintStream out) {
    List<Row> engine = new ArrayList<>();
    List<Row> batcher = new ArrayList<>();
    List<Row> other = new ArrayList<>();
    Map<String, Double> batchOneItems = new HashMap<>();
    for (Row r : rows) {
      if (r.benchmark().startsWith(B0)) {
        engine.add(r);
        if (r.param("batch").equals("1")) {
          batchOneItems.put(r.param("model"), 1e6 / r.micros());
        }
      } else if (r.benchmark().startsWith(BATCHER)) {
        batcher.add(r);
      } else {
        other.add(r);
      }
    }
    if (!engine.isEmpty()) {
      out.println();
      out.println("Engine baseline B0: OnnxBackend.run, 1 intra-op thread, no spinning");
      out.printf(Locale.ROOT, "%-10s %6s %12s %12s %10s %12s %8s%n",
          "model", "batch", "us/call", "mean", "+-", "items/s", "x b1");
      // Grouped by model, in the order they ran, each by batch size.
      Map<String, Integer> modelOrder = new HashMap<>();
      for (Row r : engine) {
        modelOrder.putIfAbsent(r.param("model"), modelOrder.size());
      }
      engine.sort(Comparator.comparing((Row r) -> modelOrder.get(r.param("model")))
          .thenComparingInt(r -> Integer.parseInt(r.param("batch"))));
      for (Row r : engine) {
        int batch = Integer.parseInt(r.param("batch"));
        double items = batch * 1e6 / r.micros();
        Double one = batchOneItems.get(r.param("model"));
        out.printf(Locale.ROOT, "%-10s %6d %12.2f %12.2f %10s %12.0f %8s%n",
            r.param("model"), batch, r.micros(), r.meanMicros(), error(r), items,
            one == null ? "" : String.format(Locale.ROOT, "%.2f", items / one));
      }
    }
    if (!batcher.isEmpty()) {
      out.println();
      out.println("Batcher overhead: scheduler over EchoBackend (no compute), FP32 [1,32] requests");
      out.printf(Locale.ROOT, "%-15s %-10s %7s %12s %12s %10s %12s%n",
          "method", "batching", "threads", "us/request", "mean", "+-", "requests/s");
      for (Row r : batcher) {
        out.printf(Locale.ROOT, "%-15s %-10s %7d %12.2f %12.2f %10s %12.0f%n",
            r.method(), r.param("batching"), r.threads(), r.micros(), r.meanMicros(), error(r),
            r.threads() * 1e6 / r.micros());
      }
    }
    if (!other.isEmpty()) {
      out.println();
      out.println("Codecs and others");
      out.printf(Locale.ROOT, "%-36s %-24s %12s %12s %10s%n",
          "benchmark", "params", "us/op", "mean", "+-");
      for (Row r : other) {
        String name = r.benchmark().substring(r.benchmark().lastIndexOf('.',
            r.benchmark().lastIndexOf('.') - 1) + 1);
        out.printf(Locale.ROOT, "%-36s %-24s %12.3f %12.3f %10s%n",
            name, String.join(",", r.params().values()), r.micros(), r.meanMicros(), error(r));
      }
    }
    out.println();
    out.println("First column: median (of iterations in avgt mode, of samples in sample mode);"
        + " items/s and requests/s derive from it. mean +- is JMH's score and 99.9% error.");
  }

  private static String error(Row r) {
    return Double.isFinite(r.errorMicros())
        ? String.format(Locale.ROOT, "%.3f", r.errorMicros())
        : "n/a";
  }
}
