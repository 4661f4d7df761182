package io.sluice.gateway.monitor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka sink: each record is one Kafka message on the configured topic, keyed by the request
 * id, its value the same JSON object as a line of the file log. It is the {@code kafka-clients}
 * producer's only owner; the prediction log's writer thread sends and, on shutdown, closes it,
 * which sends what is buffered within {@link #CLOSE_TIMEOUT}.
 *
 * <p>It must not hold the writer: {@code send} waits at most {@code max.block.ms} ({@value
 * #MAX_BLOCK_MS} ms) for metadata or buffer space, and when such a wait times out — the broker
 * is unreachable or the buffer is full — the sink drops records without calling the producer for
 * {@link #PAUSE} before it tries again. So that the first records do not meet that wait (the
 * producer has no metadata yet, and a topic may still be being auto-created), {@link #start} asks
 * for the topic's partitions for up to {@link #WARM_UP} while records queue up. Every record that does not reach the broker is counted
 * once, by why: {@code kafka_buffer_full}, {@code kafka_timeout} (no metadata, or not delivered
 * within {@code delivery.timeout.ms}), {@code kafka_unavailable} (skipped during a pause) and
 * {@code kafka_error} (any other failure the producer reports).
 */
final class KafkaSink implements PredictionSink {
  static final int MAX_BLOCK_MS = 100;
  static final Duration PAUSE = Duration.ofSeconds(1);
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  static final Duration WARM_UP = Duration.ofSeconds(10);
  private static final Logger log = LoggerFactory.getLogger(KafkaSink.class);

  private final Producer<String, String> producer;
  private final String topic;
  private final LongSupplier nanoTime;
  private final Counter sent;
  private final Counter bufferFull;
  private final Counter timedOut;
  private final Counter unavailable;
  private final Counter failed;
  private final Callback callback = this::completed;
  /** The thread inside {@code send}, null between sends: tells a synchronous failure apart. */
  private volatile Thread sending;
  /** Writer thread only. */
  private long pausedUntil;
  private boolean paused;
  private volatile boolean warned;

  KafkaSink(Producer<String, String> producer, String topic, LongSupplier nanoTime,
      MeterRegistry meters) {
    this.producer = producer;
    this.topic = topic;
    this.nanoTime = nanoTime;
    this.sent = PredictionLog.written(meters, "kafka");
    this.bufferFull = PredictionLog.dropped(meters, "kafka_buffer_full");
    this.timedOut = PredictionLog.dropped(meters, "kafka_timeout");
    this.unavailable = PredictionLog.dropped(meters, "kafka_unavailable");
    this.failed = PredictionLog.dropped(meters, "kafka_error");
  }

  /** A sink on a real producer for {@code bootstrap} (host:port,…); connects lazily. */
  static KafkaSink open(String bootstrap, String topic, int deliveryTimeoutMs,
      MeterRegistry meters) {
    int lingerMs = 20;
    Map<String, Object> props = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.CLIENT_ID_CONFIG, "sluice-prediction-log",
        ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK_MS,
        ProducerConfig.LINGER_MS_CONFIG, lingerMs,
        ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
        ProducerConfig.BUFFER_MEMORY_CONFIG, 16L * 1024 * 1024,
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, deliveryTimeoutMs,
        // The producer requires delivery.timeout.ms >= linger.ms + request.timeout.ms.
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(30_000, deliveryTimeoutMs - lingerMs));
    Producer<String, String> producer;
    try {
      producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    } catch (KafkaException e) {
      // e.g. no bootstrap address resolves: a start-up error naming the setting.
      throw new IllegalArgumentException("predictionLogKafkaBootstrap: '" + bootstrap + "' ("
          + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()) + ")", e);
    }
    return new KafkaSink(producer, topic, System::nanoTime, meters);
  }

  /** Waits (bounded) for the topic's metadata, so the first sends need not block. */
  @Override
  public void start() {
    long end = nanoTime.getAsLong() + WARM_UP.toNanos();
    while (nanoTime.getAsLong() - end < 0) {
      try {
        producer.partitionsFor(topic);
        return;
      } catch (TimeoutException e) {
        // The broker is not there yet, or the topic is being created: ask again.
      } catch (RuntimeException e) {
        log.warn("prediction log to Kafka topic '{}': {}", topic, e.toString());
        return;
      }
    }
    log.warn("prediction log to Kafka topic '{}': no metadata from {} within {} s; records that"
        + " cannot be sent are dropped and counted", topic, "the brokers", WARM_UP.toSeconds());
  }

  @Override
  public void write(String key, String json) {
    if (paused) {
      if (nanoTime.getAsLong() - pausedUntil < 0) {
        unavailable.increment();
        return;
      }
      paused = false;
    }
    sending = Thread.currentThread();
    try {
      producer.send(new ProducerRecord<>(topic, key, json), callback);
    } catch (RuntimeException e) {
      // The producer reports most failures through the callback; some (closed, serialization)
      // it throws.
      failure(e, true);
    } finally {
      sending = null;
    }
  }

  private void completed(RecordMetadata metadata, Exception e) {
    if (e == null) {
      sent.increment();
    } else {
      failure(e, sending == Thread.currentThread());
    }
  }

  /** Counts a record that did not reach the broker; a wait that timed out in send pauses. */
  private void failure(Exception e, boolean inSend) {
    if (e instanceof BufferExhaustedException) {
      bufferFull.increment();
    } else if (e instanceof TimeoutException) {
      timedOut.increment();
    } else {
      failed.increment();
    }
    if (inSend && e instanceof TimeoutException) {
      paused = true;
      pausedUntil = nanoTime.getAsLong() + PAUSE.toNanos();
    }
    if (!warned) {
      warned = true;
      log.warn("prediction log to Kafka topic '{}': {}; records that cannot be sent are dropped"
          + " and counted in sluice_prediction_log_dropped_total", topic, e.toString());
    } else if (log.isDebugEnabled()) {
      log.debug("prediction log to Kafka: {}", e.toString());
    }
  }

  @Override
  public void flush() {
    // The producer sends on its own thread after linger.ms; nothing to push here.
  }

  @Override
  public void close() {
    try {
      producer.close(CLOSE_TIMEOUT);
    } catch (RuntimeException e) {
      log.warn("closing the prediction log's Kafka producer: {}", e.toString());
    }
  }

  /** For tests and logs: how long the current pause still runs, 0 when none. */
  long pausedForMillis() {
    long left = pausedUntil - nanoTime.getAsLong();
    return paused && left > 0 ? TimeUnit.NANOSECONDS.toMillis(left) : 0;
  }
}
