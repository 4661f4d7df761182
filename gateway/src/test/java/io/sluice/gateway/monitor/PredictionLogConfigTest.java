package io.sluice.gateway.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PredictionLogConfigTest {

  @Test
  void aKafkaBootstrapAloneEnablesTheLog() {
    PredictionLogConfig c =
        new PredictionLogConfig(null, 1024, 1, " 127.0.0.1:9092,kafka-2:19092 ", "preds", 3000);

    assertThat(c.enabled()).isTrue();
    assertThat(c.kafkaBootstrap()).isEqualTo("127.0.0.1:9092,kafka-2:19092");
  }

  @Test
  void filesOnlyHasNoKafkaAndTheDefaultTopic() {
    PredictionLogConfig c = new PredictionLogConfig(Path.of("logs"), 1024, 1);

    assertThat(c.kafkaBootstrap()).isEmpty();
    assertThat(c.kafkaTopic()).isEqualTo("sluice-predictions");
    assertThat(new PredictionLogConfig(null, 1024, 1).enabled()).isFalse();
  }

  @Test
  void aBootstrapWithoutAPortIsRefusedNamingTheExpectedForm() {
    assertThatThrownBy(() -> new PredictionLogConfig(null, 1024, 1, "localhost", "p", 3000))
        .hasMessage("predictionLogKafkaBootstrap: 'localhost' (expected: host:port[,host:port…])");
  }

  @Test
  void aTopicKafkaWouldRefuseAndATinyDeliveryTimeoutAreRefused() {
    assertThatThrownBy(() -> new PredictionLogConfig(null, 1024, 1, "h:1", "a topic", 3000))
        .hasMessageContaining("predictionLogKafkaTopic: 'a topic'");
    assertThatThrownBy(() -> new PredictionLogConfig(null, 1024, 1, "h:1", "t", 999))
        .hasMessageContaining("(expected: >= 1000)");
  }
}
