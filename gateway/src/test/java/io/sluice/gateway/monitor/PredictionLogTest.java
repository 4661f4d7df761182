package io.sluice.gateway.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.gateway.monitor.ColumnLayout.TensorColumns;
import io.sluice.gateway.monitor.ReferenceProfile.Role;
import io.sluice.runtime.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prediction log: the record, redaction, rotation, the writer's drops, every sink fed. */
class PredictionLogTest {
  private static final ColumnLayout LAYOUT = new ColumnLayout(List.of(
      new TensorColumns("x", Role.INPUT, DataType.FP32, 2, 0),
      new TensorColumns("s", Role.INPUT, DataType.BYTES, 1, 2),
      new TensorColumns("y", Role.OUTPUT, DataType.INT64, 1, 3)));
  private static final List<String> NAMES = List.of("a", "secret", "colour", "y");
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  private static TapSlot slot(String id) {
    TapSlot s = new TapSlot(16, 3);
    s.requestId = id;
    s.epochMillis = 60_000;
    s.latencyNanos = 1_500_000;
    s.rows = 2;
    s.tensorRows[0] = 2;
    s.tensorRows[1] = 2;
    s.tensorRows[2] = 2;
    long[] v = {Double.doubleToRawLongBits(1.5), Double.doubleToRawLongBits(7),
        Double.doubleToRawLongBits(2.5), Double.doubleToRawLongBits(8),
        ColumnMonitor.categoryHash("red"), 0,
        Double.doubleToRawLongBits(1), Double.doubleToRawLongBits(0)};
    System.arraycopy(v, 0, s.values, 0, v.length);
    return s;
  }

  @Test
  void writesOneRecordPerRequestWithRedactedColumns(@TempDir Path dir) throws Exception {
    try (PredictionLog log = new PredictionLog(dir, 1 << 20, 2, 100, meters)) {
      log.append(slot("req-1"), "m", "1", LAYOUT, NAMES, Set.of("secret"));
    }
    List<String> lines = Files.readAllLines(dir.resolve(PredictionLog.FILE));
    assertThat(lines).hasSize(1);
    JsonNode r = new ObjectMapper().readTree(lines.get(0));
    assertThat(r.get("id").asText()).isEqualTo("req-1");
    assertThat(r.get("time").asText()).isEqualTo("1970-01-01T00:01:00Z");
    assertThat(r.get("latency_us").asLong()).isEqualTo(1500);
    assertThat(r.get("inputs").get("a").toString()).isEqualTo("[1.5,2.5]");
    assertThat(r.get("inputs").get("secret").asText()).isEqualTo("REDACTED");
    assertThat(r.get("inputs").get("colour").get(0).asText())
        .isEqualTo(ColumnMonitor.hashName(ColumnMonitor.categoryHash("red")));
    assertThat(r.get("inputs").get("colour").get(1).asText()).isEmpty();
    // INT64 as integers.
    assertThat(r.get("outputs").get("y").toString()).isEqualTo("[1,0]");
    assertThat(r.has("trace_id")).isFalse();
    assertThat(r.has("span_id")).isFalse();
  }

  @Test
  void aValidTraceparentGivesTheTraceAndSpanIdsAndAnInvalidOneNone(@TempDir Path dir)
      throws Exception {
    TapSlot traced = slot("traced");
    traced.traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    TapSlot invalid = slot("invalid");
    invalid.traceParent = "00-00000000000000000000000000000000-00f067aa0ba902b7-01";
    try (PredictionLog log = new PredictionLog(dir, 1 << 20, 2, 100, meters)) {
      log.append(traced, "m", "1", LAYOUT, NAMES, Set.of());
      log.append(invalid, "m", "1", LAYOUT, NAMES, Set.of());
    }
    List<String> lines = Files.readAllLines(dir.resolve(PredictionLog.FILE));
    ObjectMapper json = new ObjectMapper();
    JsonNode first = json.readTree(lines.get(0));
    assertThat(first.get("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(first.get("span_id").asText()).isEqualTo("00f067aa0ba902b7");
    JsonNode second = json.readTree(lines.get(1));
    assertThat(second.get("id").asText()).isEqualTo("invalid");
    assertThat(second.has("trace_id")).isFalse();
  }

  @Test
  void aRecordCarriesItsRoleAndRoute(@TempDir Path dir) throws Exception {
    TapSlot shadow = slot("req-2");
    shadow.shadow = true;
    shadow.route = io.sluice.gateway.model.Selection.Route.CANARY;
    try (PredictionLog log = new PredictionLog(dir, 1 << 20, 2, 100, meters)) {
      log.append(slot("req-2"), "m", "1", LAYOUT, NAMES, Set.of());
      log.append(shadow, "m", "2", LAYOUT, NAMES, Set.of());
    }
    List<String> lines = Files.readAllLines(dir.resolve(PredictionLog.FILE));
    ObjectMapper json = new ObjectMapper();
    JsonNode primary = json.readTree(lines.get(0));
    assertThat(primary.get("role").asText()).isEqualTo("primary");
    assertThat(primary.get("route").asText()).isEqualTo("stable");
    JsonNode copy = json.readTree(lines.get(1));
    assertThat(copy.get("id").asText()).isEqualTo("req-2");
    assertThat(copy.get("version").asText()).isEqualTo("2");
    assertThat(copy.get("role").asText()).isEqualTo("shadow");
    assertThat(copy.get("route").asText()).isEqualTo("canary");
  }

  @Test
  void rotatesPastItsSizeAndKeepsItsFiles(@TempDir Path dir) throws Exception {
    try (PredictionLog log = new PredictionLog(dir, 1024, 2, 1000, meters)) {
      for (int i = 0; i < 40; i++) {
        log.append(slot("req-" + i), "m", "1", LAYOUT, NAMES, Set.of());
      }
    }
    assertThat(dir.resolve(PredictionLog.FILE + ".1")).exists();
    assertThat(dir.resolve(PredictionLog.FILE + ".2")).exists();
    assertThat(dir.resolve(PredictionLog.FILE + ".3")).doesNotExist();
    for (String f : List.of(PredictionLog.FILE, PredictionLog.FILE + ".1")) {
      assertThat(Files.size(dir.resolve(f))).isLessThanOrEqualTo(1024);
    }
    assertThat(Files.readAllLines(dir.resolve(PredictionLog.FILE)).get(0)).startsWith("{\"id\"");
    double written = meters.get("sluice_prediction_log_records").tag("sink", "file").counter().count();
    double dropped = meters.get("sluice_prediction_log_dropped").tag("reason", "queue_full").counter().count();
    assertThat(written + dropped).isEqualTo(40);
  }

  @Test
  void anFp32ValueIsWrittenAsTheFloatTheClientSentNotItsWidenedDouble(@TempDir Path dir)
      throws Exception {
    TapSlot s = slot("req-f");
    s.values[0] = Double.doubleToRawLongBits(0.1f); // 0.10000000149011612 as a double
    s.values[2] = Double.doubleToRawLongBits(Float.NaN);
    try (PredictionLog log = new PredictionLog(dir, 1 << 20, 1, 100, meters)) {
      log.append(s, "m", "1", LAYOUT, NAMES, Set.of());
    }
    JsonNode r = new ObjectMapper().readTree(Files.readAllLines(dir.resolve(PredictionLog.FILE))
        .get(0));
    assertThat(r.get("inputs").get("a").toString()).isEqualTo("[0.1,null]");
  }

  @Test
  void aBatchReachesTheFileWithoutClosingOnceTheQueueGoesQuiet(@TempDir Path dir)
      throws Exception {
    try (PredictionLog log = new PredictionLog(dir, 1 << 20, 1, 100, meters)) {
      log.append(slot("req-1"), "m", "1", LAYOUT, NAMES, Set.of());
      log.append(slot("req-2"), "m", "1", LAYOUT, NAMES, Set.of());
      log.endBatch();
      await().atMost(Duration.ofSeconds(5)).until(
          () -> Files.readAllLines(dir.resolve(PredictionLog.FILE)).size() == 2);
    }
  }

  @Test
  void stepsBeyondTheChunksThereAreReuseThemAndKeepEveryRecordInOrder(@TempDir Path dir)
      throws Exception {
    int steps = 200; // more steps than chunks: the writer hands chunks back to be filled again
    try (PredictionLog log = new PredictionLog(dir, 1 << 24, 1, 100_000, meters)) {
      for (int step = 0; step < steps; step++) {
        for (int r = 0; r <= step % 3; r++) {
          log.append(slot("req-" + step + "-" + r), "m", "1", LAYOUT, NAMES, Set.of());
        }
        log.endBatch();
        if (step % 50 == 49) {
          int expected = (step + 1) / 3 * 6 + new int[] {0, 1, 3}[(step + 1) % 3];
          await().atMost(Duration.ofSeconds(5)).until(() -> meters.get(
              "sluice_prediction_log_records").tag("sink", "file").counter().count() == expected);
        }
      }
    }
    List<String> lines = Files.readAllLines(dir.resolve(PredictionLog.FILE));
    ObjectMapper json = new ObjectMapper();
    List<String> ids = new java.util.ArrayList<>();
    for (String line : lines) {
      ids.add(json.readTree(line).get("id").asText());
    }
    List<String> expected = new java.util.ArrayList<>();
    for (int step = 0; step < steps; step++) {
      for (int r = 0; r <= step % 3; r++) {
        expected.add("req-" + step + "-" + r);
      }
    }
    assertThat(ids).isEqualTo(expected);
    assertThat(meters.get("sluice_prediction_log_dropped").tag("reason", "queue_full").counter()
        .count()).isZero();
  }

  @Test
  void aRecordAfterCloseIsDroppedAndCounted(@TempDir Path dir) throws Exception {
    PredictionLog log = new PredictionLog(dir, 1 << 20, 1, 10, meters);
    log.close();
    log.append(slot("late"), "m", "1", LAYOUT, NAMES, Set.of());
    await().atMost(Duration.ofSeconds(5)).until(
        () -> meters.get("sluice_prediction_log_dropped").tag("reason", "queue_full").counter().count() == 1);
  }

  @Test
  void everySinkGetsEachRecordKeyedByItsRequestIdAndIsClosedByTheWriter(@TempDir Path dir)
      throws Exception {
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    PredictionSink recording = new PredictionSink() {
      @Override
      public void write(String key, String json) {
        seen.add(key + " " + json);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {
        closed.set(true);
      }
    };
    try (PredictionLog log = new PredictionLog(
        List.of(new RotatingFileSink(dir, 1 << 20, 1, meters), recording), 100, meters)) {
      log.append(slot("req-1"), "m", "1", LAYOUT, NAMES, Set.of());
      log.append(slot("req-2"), "m", "1", LAYOUT, NAMES, Set.of());
    }
    List<String> lines = Files.readAllLines(dir.resolve(PredictionLog.FILE));
    assertThat(seen).containsExactly("req-1 " + lines.get(0), "req-2 " + lines.get(1));
    assertThat(closed).isTrue();
  }
}
