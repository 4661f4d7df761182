package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultTableTest {
  private static final String B0 = "io.sluice.bench.EngineBaselineBenchmark.run";

  @Test
  void timeUnitsAndThroughputsBecomeMicrosPerOperation() {
    assertThat(ResultTable.toMicros(2500, "ns/op")).isCloseTo(2.5, within(1e-9));
    assertThat(ResultTable.toMicros(3, "ms/op")).isCloseTo(3000, within(1e-9));
    assertThat(ResultTable.toMicros(0.5, "ops/us")).isCloseTo(2, within(1e-9));
    assertThat(ResultTable.toMicros(200, "ops/s")).isCloseTo(5000, within(1e-9));
  }

  @Test
  void anUnknownUnitIsAnError() {
    assertThatThrownBy(() -> ResultTable.toMicros(1, "furlongs"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: like us/op");
  }

  @Test
  void engineRowsShowItemsPerSecondAndTheGainOverBatchOne(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("result.json");
    Files.writeString(file, "["
        + result(B0, "{\"batch\":\"64\",\"model\":\"tiny_mlp\"}", 1, 64.0, "us/op") + ","
        + result(B0, "{\"batch\":\"1\",\"model\":\"tiny_mlp\"}", 1, 5.0, "us/op") + ","
        + result("io.sluice.bench.BatcherOverheadBenchmark.fourSubmitters",
            "{\"batching\":\"off\"}", 4, 40.0, "us/op")
        + "]");

    List<ResultTable.Row> rows = ResultTable.read(file);
    String table = print(rows);

    // batch 1: 200,000 items/s; batch 64: 1,000,000 items/s, 5x batch 1; sorted by batch.
    assertThat(table).containsSubsequence(
        "tiny_mlp        1         5.00", "n/a", "200000", "1.00",
        "tiny_mlp       64        64.00", "n/a", "1000000", "5.00");
    // Four threads each seeing 40 us: 100,000 requests/s.
    assertThat(table).contains("fourSubmitters", "100000");
  }

  @Test
  void theFirstColumnIsTheMedianSoOneStalledIterationDoesNotMoveIt(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("result.json");
    Files.writeString(file, "[" + result(B0, "{\"batch\":\"1\",\"model\":\"resnet18\"}", 1,
        "{\"score\":260000.0,\"scoreError\":1000.0,\"scorePercentiles\":{\"50.0\":20000.0},"
            + "\"scoreUnit\":\"us/op\"}") + "]");

    ResultTable.Row row = ResultTable.read(file).get(0);

    assertThat(row.micros()).isEqualTo(20000.0);
    assertThat(row.meanMicros()).isEqualTo(260000.0);
    assertThat(print(List.of(row))).contains("resnet18", "20000.00", "260000.00", "1000.000", "50");
  }

  private static String result(String benchmark, String params, int threads, double score,
      String unit) {
    return result(benchmark, params, threads, "{\"score\":" + score
        + ",\"scoreError\":\"NaN\",\"scorePercentiles\":{\"50.0\":" + score + "}"
        + ",\"scoreUnit\":\"" + unit + "\"}");
  }

  private static String result(String benchmark, String params, int threads, String metric) {
    return "{\"benchmark\":\"" + benchmark + "\",\"mode\":\"avgt\",\"threads\":" + threads
        + ",\"params\":" + params + ",\"primaryMetric\":" + metric + "}";
  }

  private static String print(List<ResultTable.Row> rows) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ResultTable.print(rows, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
