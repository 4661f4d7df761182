package io.sluice.gateway.monitor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.gateway.monitor.ColumnLayout.TensorColumns;
import io.sluice.gateway.request.TraceParent;
import io.sluice.proto.inference.ModelConfigProto.ModelParameter;
import io.sluice.runtime.DataType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.jctools.queues.MpscArrayQueue;

/**
 * The prediction log: one JSON record per monitored request — id, time, model, version, role,
 * latency, the W3C trace and span ids when the request carried a valid {@code traceparent}, inputs and outputs by column (columns named in the model's {@value #REDACT} parameter
 * written as {@code "REDACTED"}; BYTES values as the {@code #hash} the tap copied) — to each of
 * its {@link PredictionSink}s: the rotating {@code predictions.jsonl} files ({@link
 * RotatingFileSink}) and Kafka ({@link KafkaSink}, keyed by request id). It is fed from the
 * monitor thread with the tap's slots (so the tap's sampling applies, and the request path does
 * nothing more), formats there, and hands each step's records to its own writer thread as one
 * chunk through a bounded lock-free queue; the writer is the only thread that touches the sinks, and
 * closes them when it stops. When the writer is {@code queueLines} records behind a record is
 * dropped and counted in {@code
 * sluice_prediction_log_dropped_total{reason="queue_full"}}; what a sink cannot write it counts
 * under its own reason.
 *
 * <p>Formatting is the log's cost per record, so it is kept small: one generator lives as long
 * as the log and writes UTF-8 into a reused buffer, field and column names are encoded once,
 * each value is printed as its tensor's type (an integer as an integer, an FP32 value as a
 * float), and a step's records travel as one reused {@link LogChunk} of lines, newlines
 * included, which the file sink writes as they are: per record nothing is allocated but what
 * printing a float takes.
 */
public final class PredictionLog implements AutoCloseable {
  /** A model's config parameter naming columns whose values are not logged ("a,b"). */
  static final String REDACT = "sluice.log.redact";
  static final String FILE = RotatingFileSink.FILE;
  /** Jackson's fast float writer (Schubfach): a record prints every input and output. */
  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
  private static final String DROPPED = "sluice_prediction_log_dropped";
  private static final String RECORDS = "sluice_prediction_log_records";

  private final List<PredictionSink> sinks;
  /**
   * Lock-free; the writer is woken once per chunk ({@link #endBatch}, once per monitor step),
   * not per record: waking a thread costs a futex call and a context switch on the serving core,
   * which a blocking queue paid for nearly every record.
   */
  private final MpscArrayQueue<LogChunk> chunks;
  /** Chunks the writer has written, back to the monitor thread. */
  private final MpscArrayQueue<LogChunk> free;
  /** Chunks in existence at most: the writer may be this many steps behind. */
  private static final int MAX_CHUNKS = 64;
  /** Monitor thread only: chunks made so far. */
  private int madeChunks;
  /** Monitor thread only: the step's chunk, being filled; null between steps. */
  private LogChunk open;
  /** Records handed to the writer and not yet written; past {@link #queueLines} new ones drop. */
  private final AtomicInteger queued = new AtomicInteger();
  private final int queueLines;
  private static final long FLUSH_AFTER_IDLE_MILLIS = 200;
  private final Counter dropped;
  private final Thread writer;
  private volatile boolean closed;
  /** Monitor thread only: the generator, writing into the open chunk. */
  private final JsonGenerator json;
  /** Monitor thread only: column names by the (long-lived) list that holds them. */
  private final Map<List<String>, SerializableString[]> encodedNames = new IdentityHashMap<>();
  private static final SerializableString ID = new SerializedString("id");
  private static final SerializableString TIME = new SerializedString("time");
  private static final SerializableString MODEL = new SerializedString("model");
  private static final SerializableString VERSION = new SerializedString("version");
  private static final SerializableString ROLE = new SerializedString("role");
  private static final SerializableString ROUTE = new SerializedString("route");
  private static final SerializableString LATENCY = new SerializedString("latency_us");
  private static final SerializableString ROWS = new SerializedString("rows");
  private static final SerializableString INPUTS = new SerializedString("inputs");
  private static final SerializableString OUTPUTS = new SerializedString("outputs");
  private static final String PRIMARY = "primary";
  private static final String SHADOW = "shadow";
  /** Monitor thread only: the last record's time and its text (records come in bursts). */
  private long timeMillis = Long.MIN_VALUE;
  private String timeText;

  /**
   * A log to rotating files only.
   *
   * @param dir the folder of the log files (created)
   * @param maxBytes rotate when the current file would pass this size
   * @param keepFiles rotated files kept besides the current one
   * @param queueLines records waiting for the writer before new ones are dropped
   */
  public PredictionLog(Path dir, long maxBytes, int keepFiles, int queueLines,
      MeterRegistry meters) throws IOException {
    this(List.of(new RotatingFileSink(dir, maxBytes, keepFiles, meters)), queueLines, meters);
  }

  /** A log writing to every sink in {@code sinks} (which it then owns), in order. */
  PredictionLog(List<PredictionSink> sinks, int queueLines, MeterRegistry meters) {
    this.sinks = List.copyOf(sinks);
    this.queueLines = queueLines;
    this.chunks = new MpscArrayQueue<>(MAX_CHUNKS);
    this.free = new MpscArrayQueue<>(MAX_CHUNKS);
    this.dropped = dropped(meters, "queue_full");
    try {
      this.json = JSON.createGenerator(new OpenChunk());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // Records are separated by the newline appended to each, not by Jackson's root separator.
    this.json.setRootValueSeparator(null);
    this.writer = new Thread(this::writeLoop, "sluice-prediction-log");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /** The log {@code config} describes: its files, its Kafka topic, or both. */
  public static PredictionLog open(PredictionLogConfig config, int queueLines,
      MeterRegistry meters) throws IOException {
    List<PredictionSink> sinks = new ArrayList<>(2);
    try {
      if (config.dir() != null) {
        sinks.add(new RotatingFileSink(config.dir(), config.maxBytes(), config.files(), meters));
      }
      if (!config.kafkaBootstrap().isEmpty()) {
        sinks.add(KafkaSink.open(config.kafkaBootstrap(), config.kafkaTopic(),
            config.kafkaDeliveryTimeoutMs(), meters));
      }
    } catch (IOException | RuntimeException e) {
      // No writer owns them yet: close what was opened before the failure.
      sinks.forEach(PredictionSink::close);
      throw e;
    }
    return new PredictionLog(sinks, queueLines, meters);
  }

  /** {@code sluice_prediction_log_dropped_total{reason}}: one family for every sink. */
  static Counter dropped(MeterRegistry meters, String reason) {
    return Counter.builder(DROPPED)
        .description("prediction log records dropped (queue full, or a sink could not write)")
        .tag("reason", reason).register(meters);
  }

  /** {@code sluice_prediction_log_records_total{sink}}: records a sink wrote (Kafka: acked). */
  static Counter written(MeterRegistry meters, String sink) {
    return Counter.builder(RECORDS).description("prediction log records written")
        .tag("sink", sink).register(meters);
  }

  /** Redacted column names of a version, from its config. */
  static Set<String> redacted(io.sluice.proto.inference.ModelConfigProto.ModelConfig config) {
    ModelParameter p = config.getParametersMap().get(REDACT);
    return p == null ? Set.of() : Arrays.stream(p.getStringValue().split(",")).map(String::strip)
        .filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
  }

  /**
   * Formats one slot's record (monitor thread) into this step's chunk, which {@link #endBatch}
   * hands to the writer; dropped and counted when the writer is {@code queueLines} records
   * behind.
   */
  void append(TapSlot slot, String model, String version, ColumnLayout layout,
      List<String> names, Set<String> redact) {
    if (closed || queued.get() + (open == null ? 0 : open.records) >= queueLines) {
      dropped.increment();
      return;
    }
    if (open == null) {
      open = free.poll();
      if (open == null) {
        if (madeChunks == MAX_CHUNKS) {
          dropped.increment(); // every chunk is waiting for the writer
          return;
        }
        open = new LogChunk();
        madeChunks++;
      }
    }
    JsonGenerator g = json;
    SerializableString[] columns = encoded(names);
    try {
      g.writeStartObject();
      g.writeFieldName(ID);
      g.writeString(slot.requestId);
      if (slot.epochMillis != timeMillis) {
        timeMillis = slot.epochMillis;
        timeText = Instant.ofEpochMilli(timeMillis).toString();
      }
      g.writeFieldName(TIME);
      g.writeString(timeText);
      g.writeFieldName(MODEL);
      g.writeString(model);
      g.writeFieldName(VERSION);
      g.writeString(version);
      g.writeFieldName(ROLE);
      g.writeString(slot.shadow ? SHADOW : PRIMARY);
      g.writeFieldName(ROUTE);
      g.writeString(slot.route.label());
      g.writeFieldName(LATENCY);
      g.writeNumber(slot.latencyNanos / 1000);
      g.writeFieldName(ROWS);
      g.writeNumber(slot.rows);
      // Present only for a request that carried a valid W3C traceparent; an invalid one is absent.
      TraceParent trace = TraceParent.parse(slot.traceParent);
      if (trace != null) {
        g.writeStringField("trace_id", trace.traceId());
        g.writeStringField("span_id", trace.spanId());
      }
      for (ReferenceProfile.Role role : ReferenceProfile.Role.values()) {
        g.writeFieldName(role == ReferenceProfile.Role.INPUT ? INPUTS : OUTPUTS);
        g.writeStartObject();
        int at = 0;
        List<TensorColumns> tensors = layout.tensors();
        for (int ti = 0; ti < tensors.size(); ti++) {
          TensorColumns t = tensors.get(ti);
          boolean present = slot.tensorRows[ti] >= 0;
          if (t.role() == role) {
            for (int c = 0; c < t.width(); c++) {
              int column = t.firstColumn() + c;
              g.writeFieldName(columns[column]);
              if (!present) {
                g.writeNull();
              } else if (redact.contains(names.get(column))) {
                g.writeString("REDACTED");
              } else {
                g.writeStartArray();
                for (int r = 0; r < slot.rows; r++) {
                  value(g, t.type(), slot.values[at + r * t.width() + c]);
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
      g.writeRaw('\n');
    } catch (IOException e) {
      throw new IllegalStateException(e); // a ByteArrayBuilder does not fail
    }
    // Where the record ends once the generator's own buffer reaches the chunk, without a flush.
    open.endRecord(open.size + g.getOutputBuffered(), slot.requestId);
  }

  /**
   * Monitor thread, after a step's records (and {@link #close}): hands them to the writer as one
   * chunk and wakes it.
   */
  void endBatch() {
    LogChunk chunk = open;
    if (chunk == null) {
      return;
    }
    try {
      json.flush();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    open = null;
    queued.addAndGet(chunk.records);
    chunks.offer(chunk); // room for every chunk there is
    LockSupport.unpark(writer);
  }

  /** Where the generator writes: the open chunk (monitor thread only). */
  private final class OpenChunk extends java.io.OutputStream {
    @Override
    public void write(int b) {
      open.write(b);
    }

    @Override
    public void write(byte[] b, int offset, int length) {
      open.write(b, offset, length);
    }
  }

  /**
   * One value as its tensor's type wrote it: an integer type as an integer, a 32-bit or smaller
   * float as the shortest decimal that reads back as that float (a float widened to double
   * printed up to 17 digits that the client never sent, and took longer to print), FP64 as a
   * double, BYTES as its {@code #hash}; NaN as null, infinities as strings.
   */
  private static void value(JsonGenerator g, DataType type, long bits) throws IOException {
    switch (type) {
      case BYTES:
        g.writeString(bits == 0 ? "" : ColumnMonitor.hashName(bits));
        return;
      case FP32:
      case FP16:
      case BF16:
        double f = Double.longBitsToDouble(bits);
        if (Double.isFinite(f)) {
          g.writeNumber((float) f);
        } else {
          DriftJson.number0(g, f);
        }
        return;
      case FP64:
        DriftJson.number0(g, Double.longBitsToDouble(bits));
        return;
      default:
        // Integers and BOOL, copied as doubles: exact below 2^53, printed as doubles beyond.
        double n = Double.longBitsToDouble(bits);
        if (Math.abs(n) < 0x1p53) {
          g.writeNumber((long) n);
        } else {
          g.writeNumber(n);
        }
    }
  }

  /** Monitor thread only: the column names of each layout seen, encoded once. */
  private SerializableString[] encoded(List<String> names) {
    SerializableString[] e = encodedNames.get(names);
    if (e == null) {
      if (encodedNames.size() >= 64) {
        encodedNames.clear(); // references replaced many times: start again
      }
      e = new SerializableString[names.size()];
      for (int i = 0; i < e.length; i++) {
        e[i] = new SerializedString(names.get(i));
      }
      encodedNames.put(names, e);
    }
    return e;
  }

  private void writeLoop() {
    try {
      for (int i = 0; i < sinks.size(); i++) {
        sinks.get(i).start();
      }
      boolean unflushed = false;
      for (;;) {
        int written = 0;
        for (LogChunk c; (c = chunks.poll()) != null; ) {
          int from = 0;
          for (int r = 0; r < c.records; r++) {
            int end = c.ends[r];
            for (int i = 0; i < sinks.size(); i++) {
              sinks.get(i).write(c.keys[r], c.utf8, from, end - from);
            }
            from = end;
          }
          int n = c.records;
          written += n;
          c.clear();
          free.offer(c);
          queued.addAndGet(-n);
        }
        if (written > 0) {
          unflushed = true;
        } else if (unflushed || closed) {
          // Woken to an empty queue: no records for FLUSH_AFTER_IDLE_MILLIS, or closing.
          for (int i = 0; i < sinks.size(); i++) {
            sinks.get(i).flush();
          }
          unflushed = false;
        }
        if (closed) {
          if (chunks.isEmpty()) {
            break;
          }
          continue;
        }
        LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(FLUSH_AFTER_IDLE_MILLIS));
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closed = true;
      for (PredictionSink sink : sinks) {
        sink.close();
      }
    }
  }

  /**
   * Hands over the open step's records, writes what is queued, then stops the writer, which
   * closes the sinks (Kafka within 5 s). Called on the monitor thread or once it has stopped
   * ({@link DriftMonitor#close}).
   */
  @Override
  public void close() {
    endBatch();
    closed = true;
    LockSupport.unpark(writer);
    try {
      writer.join(15_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
