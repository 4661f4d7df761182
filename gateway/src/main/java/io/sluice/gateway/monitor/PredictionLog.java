package io.sluice.gateway.monitor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.gateway.monitor.ColumnLayout.TensorColumns;
import io.sluice.proto.inference.ModelConfigProto.ModelParameter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The prediction log: one JSON line per monitored request — id, time, model, version, role,
 * latency, inputs and outputs by column (columns named in the model's {@value #REDACT} parameter
 * written as {@code "REDACTED"}; BYTES values as the {@code #hash} the tap copied) — in
 * {@code predictions.jsonl} under the log folder, rotated to {@code predictions.jsonl.1} … when
 * it reaches its size. It is fed from the monitor thread with the tap's slots (so the tap's
 * sampling applies, and the request path does nothing more), formats there, and hands lines to
 * its own writer thread through a bounded queue; when that is full a line is dropped and counted
 * in {@code sluice_prediction_log_dropped_total}. Kafka is not built.
 */
public final class PredictionLog implements AutoCloseable {
  /** A model's config parameter naming columns whose values are not logged ("a,b"). */
  static final String REDACT = "sluice.log.redact";
  static final String FILE = "predictions.jsonl";
  private static final Logger log = LoggerFactory.getLogger(PredictionLog.class);
  private static final JsonFactory JSON = new JsonFactory();

  private final Path dir;
  private final long maxBytes;
  private final int keepFiles;
  private final BlockingQueue<String> lines;
  private final Counter dropped;
  private final Counter written;
  private final Thread writer;
  private volatile boolean closed;

  /**
   * @param dir the folder of the log files (created)
   * @param maxBytes rotate when the current file would pass this size
   * @param keepFiles rotated files kept besides the current one
   * @param queueLines lines waiting for the writer before new ones are dropped
   */
  public PredictionLog(Path dir, long maxBytes, int keepFiles, int queueLines,
      MeterRegistry meters) throws IOException {
    this.dir = Files.createDirectories(dir);
    this.maxBytes = maxBytes;
    this.keepFiles = keepFiles;
    this.lines = new ArrayBlockingQueue<>(queueLines);
    this.dropped = Counter.builder("sluice_prediction_log_dropped")
        .description("prediction log records dropped because the writer fell behind")
        .register(meters);
    this.written = Counter.builder("sluice_prediction_log_records")
        .description("prediction log records written").register(meters);
    this.writer = new Thread(this::writeLoop, "sluice-prediction-log");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /** Redacted column names of a version, from its config. */
  static Set<String> redacted(io.sluice.proto.inference.ModelConfigProto.ModelConfig config) {
    ModelParameter p = config.getParametersMap().get(REDACT);
    return p == null ? Set.of() : Arrays.stream(p.getStringValue().split(",")).map(String::strip)
        .filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
  }

  /** Formats one slot's record (monitor thread) and queues it for the writer. */
  void append(TapSlot slot, String model, String version, ColumnLayout layout,
      List<String> names, Set<String> redact) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("id", slot.requestId);
      g.writeStringField("time", Instant.ofEpochMilli(slot.epochMillis).toString());
      g.writeStringField("model", model);
      g.writeStringField("version", version);
      g.writeStringField("role", slot.shadow ? "shadow" : "primary");
      g.writeNumberField("latency_us", slot.latencyNanos / 1000);
      g.writeNumberField("rows", slot.rows);
      for (ReferenceProfile.Role role : ReferenceProfile.Role.values()) {
        g.writeObjectFieldStart(role == ReferenceProfile.Role.INPUT ? "inputs" : "outputs");
        int at = 0;
        List<TensorColumns> tensors = layout.tensors();
        for (int ti = 0; ti < tensors.size(); ti++) {
          TensorColumns t = tensors.get(ti);
          boolean present = slot.tensorRows[ti] >= 0;
          if (t.role() == role) {
            for (int c = 0; c < t.width(); c++) {
              String name = names.get(t.firstColumn() + c);
              if (!present) {
                g.writeNullField(name);
              } else if (redact.contains(name)) {
                g.writeStringField(name, "REDACTED");
              } else {
                g.writeArrayFieldStart(name);
                for (int r = 0; r < slot.rows; r++) {
                  long bits = slot.values[at + r * t.width() + c];
                  if (t.categorical()) {
                    g.writeString(bits == 0 ? "" : ColumnMonitor.hashName(bits));
                  } else {
                    DriftJson.number0(g, Double.longBitsToDouble(bits));
                  }
                }
                g.writeEndArray();
              }
            }
          }
          if (present) {
            at += slot.rows * t.width();
          }
        }
        g.writeEndObject();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    if (closed || !lines.offer(out.toString())) {
      dropped.increment();
    }
  }

  private void writeLoop() {
    Path current = dir.resolve(FILE);
    OutputStream file = null;
    long size = 0;
    try {
      file = open(current);
      size = Files.size(current);
      for (;;) {
        String line = lines.poll(200, TimeUnit.MILLISECONDS);
        if (line == null) {
          file.flush();
          if (closed) {
            break;
          }
          continue;
        }
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        if (size > 0 && size + bytes.length > maxBytes) {
          file.close();
          rotate();
          file = open(current);
          size = 0;
        }
        file.write(bytes);
        size += bytes.length;
        written.increment();
      }
    } catch (IOException e) {
      log.warn("prediction log {}: {}; no more records are written", dir, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closed = true;
      if (file != null) {
        try {
          file.close();
        } catch (IOException e) {
          log.debug("closing the prediction log: {}", e.toString());
        }
      }
    }
  }

  private static OutputStream open(Path p) throws IOException {
    return new java.io.BufferedOutputStream(Files.newOutputStream(p, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND), 64 * 1024);
  }

  /** predictions.jsonl → .1 → .2 …; the oldest past {@code keepFiles} goes. */
  private void rotate() throws IOException {
    Files.deleteIfExists(dir.resolve(FILE + "." + keepFiles));
    for (int i = keepFiles - 1; i >= 1; i--) {
      Path from = dir.resolve(FILE + "." + i);
      if (Files.exists(from)) {
        Files.move(from, dir.resolve(FILE + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    if (keepFiles >= 1) {
      Files.move(dir.resolve(FILE), dir.resolve(FILE + ".1"), StandardCopyOption.REPLACE_EXISTING);
    } else {
      Files.delete(dir.resolve(FILE));
    }
  }

  /** Writes what is queued, then stops the writer. */
  @Override
  public void close() {
    closed = true;
    try {
      writer.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
