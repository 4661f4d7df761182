package io.sluice.gateway;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Every setting of the process, validated once at start-up and passed down. The defaults are the
 * table in the README; {@link ConfigFile} reads the same settings from YAML, and command-line flags
 * override both.
 *
 * @param modelRepository the Triton-style model repository folder
 * @param host the address the three servers bind
 * @param httpPort HTTP/REST port (0 = ephemeral)
 * @param grpcPort gRPC port (0 = ephemeral)
 * @param metricsPort Prometheus port (0 = ephemeral)
 * @param strictReadiness ready only when every model that should be loaded is READY
 * @param maxRequestBytes largest HTTP request body (after decompression)
 * @param maxGrpcMessageBytes largest inbound gRPC message
 * @param eventLoopThreads Netty event loop threads shared by HTTP and gRPC
 * @param defaultMaxBatchSize autofill's max batch size for models that can batch
 * @param maxQueueSize per-version cap on waiting requests where the queue policy says 0
 * @param onnxIntraOpThreads ONNX Runtime threads inside an operator
 * @param onnxInterOpThreads ONNX Runtime threads across operators
 * @param onnxSpinning whether idle ONNX Runtime threads spin
 * @param engine which engine runs the models: the real one, or the benchmark's echo stand-in
 */
public record GatewayConfig(
    Path modelRepository,
    String host,
    int httpPort,
    int grpcPort,
    int metricsPort,
    boolean strictReadiness,
    int maxRequestBytes,
    int maxGrpcMessageBytes,
    int eventLoopThreads,
    int defaultMaxBatchSize,
    int maxQueueSize,
    int onnxIntraOpThreads,
    int onnxInterOpThreads,
    boolean onnxSpinning,
    Engine engine) {

  /** Which engine runs the models. */
  public enum Engine {
    /** ONNX Runtime. */
    ONNXRUNTIME,
    /** Zeros of the real output sizes, no compute: the benchmark's transport ceiling. */
    ECHO
  }

  public GatewayConfig {
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(modelRepository, "modelRepository");
    Objects.requireNonNull(host, "host");
    checkPort("httpPort", httpPort);
    checkPort("grpcPort", grpcPort);
    checkPort("metricsPort", metricsPort);
    checkPositive("maxRequestBytes", maxRequestBytes);
    checkPositive("maxGrpcMessageBytes", maxGrpcMessageBytes);
    checkPositive("eventLoopThreads", eventLoopThreads);
    checkPositive("maxQueueSize", maxQueueSize);
    checkPositive("onnxIntraOpThreads", onnxIntraOpThreads);
    checkPositive("onnxInterOpThreads", onnxInterOpThreads);
    if (defaultMaxBatchSize < 0) {
      throw new IllegalArgumentException(
          "defaultMaxBatchSize: " + defaultMaxBatchSize + " (expected: >= 0)");
    }
  }

  private static void checkPort(String name, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(name + ": " + port + " (expected: 0..65535)");
    }
  }

  private static void checkPositive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
  }

  /** The defaults, serving {@code modelRepository}. */
  public static GatewayConfig ofDefaults(Path modelRepository) {
    return new GatewayConfig(
        modelRepository,
        "0.0.0.0",
        8000,
        8001,
        8002,
        true,
        64 * 1024 * 1024,
        256 * 1024 * 1024,
        Math.max(1, Runtime.getRuntime().availableProcessors()),
        4,
        4096,
        1,
        1,
        false,
        Engine.ONNXRUNTIME);
  }
}
