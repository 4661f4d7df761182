package io.sluice.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class JsonOutputTest {

  private static WindowResult window() {
    Map<Integer, Long> batches = new TreeMap<>(Map.of(1, 10L, 4, 30L));
    return new WindowResult(
        "at80",
        "open",
        "poisson",
        800,
        1000,
        8,
        6_400,
        6_399,
        1,
        1 / 6_400.0,
        Map.of(OpenLoopGenerator.NOT_SENT, 1L),
        799.9,
        new Latency(6_399, 300, 250, 400, 900, 1_500, 2_000),
        new Latency(6_400, 5, 3, 8, 40, 90, 120),
        new Latency(1, 700, 700, 700, 700, 700, 700),
        1.5,
        0.19,
        55.5,
        batches,
        WindowResult.meanBatchSize(batches),
        Map.of(1, 120.0, 4, 300.0),
        Map.of("success", 400.0, "queue", 50.0));
  }

  @Test
  void aWindowIsWrittenWithSnakeCaseFieldsAndMicrosecondPercentiles() throws IOException {
    JsonNode json = Json.MAPPER.readTree(Json.write(window()));

    assertThat(json.path("offered_rate").asDouble()).isEqualTo(800);
    assertThat(json.path("throughput_rps").asDouble()).isEqualTo(799.9);
    assertThat(json.path("latency_us").path("p99").asDouble()).isEqualTo(900);
    assertThat(json.path("latency_us").path("p999").asDouble()).isEqualTo(1_500);
    assertThat(json.path("errors").path("not_sent_outstanding_limit").asLong()).isEqualTo(1);
    assertThat(json.path("server_cpu_us_per_request").asDouble()).isEqualTo(55.5);
    assertThat(json.path("client_cpu_util").asDouble()).isEqualTo(0.19);
    assertThat(json.path("batch_executions").path("4").asLong()).isEqualTo(30);
    assertThat(json.path("infer_us_by_batch_size").path("4").asDouble()).isEqualTo(300);
    assertThat(json.path("server_us_per_request").path("queue").asDouble()).isEqualTo(50);
  }

  @Test
  void theMeanBatchSizeWeighsEachSizeByItsExecutions() {
    assertThat(window().meanBatchSize()).isEqualTo((10 + 4 * 30) / 40.0);
    assertThat(WindowResult.meanBatchSize(Map.of())).isNull();
  }

  @Test
  void aProfileHoldsEveryWindowAndTheSloRate() throws IOException {
    WindowResult w = window();
    Main.ProfileResult p =
        new Main.ProfileResult(
            "tiny_mlp batching on",
            "grpc",
            "tiny_mlp",
            "grpc 127.0.0.1:1 x1 channel(s)",
            10_000,
            w,
            List.of(new SloSearch.Step(800, true, w)),
            800,
            w,
            w,
            w,
            null,
            42.0);

    JsonNode json = Json.MAPPER.readTree(Json.write(p));

    assertThat(json.path("x_slo").asDouble()).isEqualTo(800);
    assertThat(json.path("slo_us").asDouble()).isEqualTo(10_000);
    assertThat(json.path("search").get(0).path("meets").asBoolean()).isTrue();
    assertThat(json.path("search").get(0).path("result").path("label").asText()).isEqualTo("at80");
    assertThat(json.path("at50").path("latency_us").path("p50").asDouble()).isEqualTo(250);
    assertThat(json.path("saturation").isNull()).isTrue();
  }

  @Test
  void latenciesAreReadFromNanosecondHistogramsInMicroseconds() {
    Histogram h = new Histogram(Measurements.HIGHEST_NANOS, 3);
    for (int i = 1; i <= 100; i++) {
      h.recordValue(i * 1_000L);
    }

    Latency l = Latency.ofNanos(h);

    assertThat(l.count()).isEqualTo(100);
    assertThat(l.p50()).isEqualTo(50.0);
    assertThat(l.max()).isEqualTo(100.0);
  }

  @Test
  void batchSizesAndStageTimesAreReadFromTritonStatisticsAndDifferenced() throws IOException {
    String before =
        "{\"model_stats\":[{\"name\":\"m\",\"version\":\"1\","
            + "\"inference_stats\":{\"queue\":{\"count\":5,\"ns\":5000}},"
            + "\"batch_stats\":[{\"batch_size\":1,\"compute_infer\":{\"count\":5,\"ns\":500}}]}]}";
    String after =
        "{\"model_stats\":[{\"name\":\"m\",\"version\":\"1\","
            + "\"inference_stats\":{\"queue\":{\"count\":15,\"ns\":45000}},"
            + "\"batch_stats\":[{\"batch_size\":1,\"compute_infer\":{\"count\":7,\"ns\":4500}},"
            + "{\"batch_size\":8,\"compute_infer\":{\"count\":3,\"ns\":30000}}]}]}";

    ServerStats.Snapshot d = ServerStats.parse(after).minus(ServerStats.parse(before));

    assertThat(d.executions()).containsExactly(Map.entry(1, 2L), Map.entry(8, 3L));
    assertThat(d.inferMicrosPerExecution()).containsEntry(1, 2.0).containsEntry(8, 10.0);
    assertThat(d.stageMicrosPerRequest()).containsEntry("queue", 4.0);
    assertThat(d.stageMicrosPerRequest().get("compute_infer")).isNull();
  }

  @Test
  void processCpuIsUserPlusSystemTicksOfProcStat() {
    String line = "1234 (java (main) x) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 30";

    assertThat(CpuTime.parseProcStat(line)).isEqualTo(300 * 10_000_000L);
  }
}
