package io.sluice.gateway.monitor;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where and how the prediction log is written: rotating files, a Kafka topic, or both.
 *
 * @param dir the folder of {@code predictions.jsonl}; null: no files
 * @param maxBytes rotate past this size
 * @param files rotated files kept besides the current one
 * @param kafkaBootstrap the Kafka brokers ({@code host:port,…}); "": no Kafka
 * @param kafkaTopic the topic records go to
 * @param kafkaDeliveryTimeoutMs how long a record may wait for the broker before it is dropped
 */
public record PredictionLogConfig(Path dir, int maxBytes, int files, String kafkaBootstrap,
    String kafkaTopic, int kafkaDeliveryTimeoutMs) {
  private static final Pattern BOOTSTRAP =
      Pattern.compile("[^,\\s:]+:\\d{1,5}(,[^,\\s:]+:\\d{1,5})*");
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  public PredictionLogConfig {
    if (maxBytes < 1024) {
      throw new IllegalArgumentException(
          "predictionLogMaxBytes: " + maxBytes + " (expected: >= 1024)");
    }
    if (files < 0) {
      throw new IllegalArgumentException("predictionLogFiles: " + files + " (expected: >= 0)");
    }
    kafkaBootstrap = kafkaBootstrap == null ? "" : kafkaBootstrap.strip();
    if (!kafkaBootstrap.isEmpty() && !BOOTSTRAP.matcher(kafkaBootstrap).matches()) {
      throw new IllegalArgumentException("predictionLogKafkaBootstrap: '" + kafkaBootstrap
          + "' (expected: host:port[,host:port…])");
    }
    if (kafkaTopic == null || !TOPIC.matcher(kafkaTopic).matches()) {
      throw new IllegalArgumentException("predictionLogKafkaTopic: '" + kafkaTopic
          + "' (expected: 1 to 249 of a-z A-Z 0-9 . _ -)");
    }
    if (kafkaDeliveryTimeoutMs < 1000) {
      throw new IllegalArgumentException("predictionLogKafkaDeliveryTimeoutMs: "
          + kafkaDeliveryTimeoutMs + " (expected: >= 1000)");
    }
  }

  /** Files only, no Kafka (the defaults of the Kafka settings). */
  public PredictionLogConfig(Path dir, int maxBytes, int files) {
    this(dir, maxBytes, files, "", "sluice-predictions", 30_000);
  }

  public boolean enabled() {
    return dir != null || !kafkaBootstrap.isEmpty();
  }
}
