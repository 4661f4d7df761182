package io.sluice.gateway;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The YAML form of {@link GatewayConfig}: the same settings under the command line's names
 * ({@code http-port: 8000}). Every key is optional; an unknown key is an error, so a typo never
 * passes silently. Read with Jackson's YAML module.
 */
final class ConfigFile {
  @JsonProperty("model-repository")
  String modelRepository;

  @JsonProperty("host")
  String host;

  @JsonProperty("http-port")
  Integer httpPort;

  @JsonProperty("grpc-port")
  Integer grpcPort;

  @JsonProperty("metrics-port")
  Integer metricsPort;

  @JsonProperty("strict-readiness")
  Boolean strictReadiness;

  @JsonProperty("max-request-bytes")
  Integer maxRequestBytes;

  @JsonProperty("max-grpc-message-bytes")
  Integer maxGrpcMessageBytes;

  @JsonProperty("event-loop-threads")
  Integer eventLoopThreads;

  @JsonProperty("default-max-batch-size")
  Integer defaultMaxBatchSize;

  @JsonProperty("max-queue-size")
  Integer maxQueueSize;

  @JsonProperty("onnx-intra-op-threads")
  Integer onnxIntraOpThreads;

  @JsonProperty("onnx-inter-op-threads")
  Integer onnxInterOpThreads;

  @JsonProperty("onnx-spinning")
  Boolean onnxSpinning;

  @JsonProperty("engine")
  GatewayConfig.Engine engine;

  static ConfigFile read(Path file) throws IOException {
    ObjectMapper yaml =
        new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    ConfigFile c = yaml.readValue(file.toFile(), ConfigFile.class);
    return c == null ? new ConfigFile() : c;
  }
}
