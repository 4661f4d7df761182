package io.sluice.gateway;

import java.util.Objects;

/**
 * Which engine runs the models, and its threads.
 *
 * @param kind the real engine, or the benchmark's echo stand-in
 * @param onnxIntraOpThreads ONNX Runtime and TensorFlow threads inside an operator
 * @param onnxInterOpThreads ONNX Runtime and TensorFlow threads across operators
 * @param onnxSpinning whether idle ONNX Runtime threads spin
 */
public record EngineConfig(
    GatewayConfig.Engine kind,
    int onnxIntraOpThreads,
    int onnxInterOpThreads,
    boolean onnxSpinning) {

  public EngineConfig {
    Objects.requireNonNull(kind, "engine");
    GatewayConfig.checkPositive("onnxIntraOpThreads", onnxIntraOpThreads);
    GatewayConfig.checkPositive("onnxInterOpThreads", onnxInterOpThreads);
  }
}
