package io.sluice.gateway.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The Kafka sink against kafka-clients' own {@code MockProducer} (the real broker is the interop
 * suite's, {@code interop/kafka/run.sh}): what it sends, and how each failure is counted.
 */
class KafkaSinkTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final AtomicLong now = new AtomicLong();
  private final MockProducer<String, String> producer =
      new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
  private final KafkaSink sink = new KafkaSink(producer, "preds", now::get, meters);

  private double dropped(String reason) {
    return meters.get("sluice_prediction_log_dropped").tag("reason", reason).counter().count();
  }

  private double sent() {
    return meters.get("sluice_prediction_log_records").tag("sink", "kafka").counter().count();
  }

  @Test
  void aRecordIsOneMessageOnTheTopicKeyedByTheRequestIdAndCountedWhenAcked() {
    sink.write("req-1", "{\"id\":\"req-1\"}");

    ProducerRecord<String, String> r = producer.history().get(0);
    assertThat(r.topic()).isEqualTo("preds");
    assertThat(r.key()).isEqualTo("req-1");
    assertThat(r.value()).isEqualTo("{\"id\":\"req-1\"}");
    assertThat(sent()).isZero();
    producer.completeNext();
    assertThat(sent()).isEqualTo(1);
  }

  @Test
  void failedDeliveriesAreCountedByReason() {
    for (int i = 0; i < 3; i++) {
      sink.write("k" + i, "{}");
    }
    producer.errorNext(new TimeoutException("expired"));
    producer.errorNext(new RecordTooLargeException("big"));
    producer.errorNext(new BufferExhaustedException("full"));

    assertThat(dropped("kafka_timeout")).isEqualTo(1);
    assertThat(dropped("kafka_error")).isEqualTo(1);
    assertThat(dropped("kafka_buffer_full")).isEqualTo(1);
    assertThat(sent()).isZero();
  }

  @Test
  void aSendThatTimesOutWaitingPausesTheSinkForASecondAndSkippedRecordsAreCounted() {
    producer.sendException = new TimeoutException("no metadata within max.block.ms");
    sink.write("a", "{}");
    producer.sendException = null;

    sink.write("b", "{}");
    now.addAndGet(KafkaSink.PAUSE.toNanos() - 1);
    sink.write("c", "{}");
    now.addAndGet(1);
    sink.write("d", "{}");

    assertThat(dropped("kafka_timeout")).isEqualTo(1);
    assertThat(dropped("kafka_unavailable")).isEqualTo(2);
    assertThat(producer.history()).extracting(ProducerRecord::key).containsExactly("d");
  }

  @Test
  void aDeliveryTimeoutReportedLaterDoesNotPause() {
    sink.write("a", "{}");
    producer.errorNext(new TimeoutException("expired in the accumulator"));

    sink.write("b", "{}");

    assertThat(producer.history()).extracting(ProducerRecord::key).containsExactly("a", "b");
    assertThat(dropped("kafka_unavailable")).isZero();
  }

  @Test
  void aSendAfterTheProducerClosedIsCountedNotThrown() {
    sink.close();

    sink.write("a", "{}");

    assertThat(producer.closed()).isTrue();
    assertThat(dropped("kafka_error")).isEqualTo(1);
  }

  @Test
  void startAsksForTheTopicsMetadataUntilItAnswersWithinItsBound() {
    AtomicLong asked = new AtomicLong();
    MockProducer<String, String> slow =
        new MockProducer<>(false, null, new StringSerializer(), new StringSerializer()) {
          @Override
          public java.util.List<org.apache.kafka.common.PartitionInfo> partitionsFor(String t) {
            if (asked.incrementAndGet() < 3) {
              now.addAndGet(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100));
              throw new TimeoutException("not yet");
            }
            return java.util.List.of();
          }
        };

    new KafkaSink(slow, "preds", now::get, meters).start();

    assertThat(asked).hasValue(3);
  }

  @Test
  void startGivesUpAfterItsBoundWhenTheBrokerNeverAnswers() {
    MockProducer<String, String> absent =
        new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
    absent.partitionsForException = new TimeoutException("no broker");
    AtomicLong clock = new AtomicLong();
    // Each call to the clock moves it 1 s, so the 10 s bound is met after a few asks.
    new KafkaSink(absent, "preds", () -> clock.addAndGet(1_000_000_000L), meters).start();

    assertThat(clock.get()).isLessThan(KafkaSink.WARM_UP.toNanos() * 2);
  }
}
