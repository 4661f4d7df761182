package io.sluice.gateway.model;

import io.sluice.runtime.OnnxOptions;

/**
 * How models are loaded and run, validated once at start-up.
 *
 * @param defaultMaxBatchSize autofill's max batch size for a model that can batch and whose
 *     config does not say (Triton's default is 4)
 * @param globalMaxQueueSize the cap on waiting requests per version when a queue policy says 0
 * @param onnx ONNX Runtime threading defaults (a model's parameters may override them)
 * @param cudaAvailable whether KIND_GPU instance groups run on the CUDA execution provider
 */
public record LifecycleConfig(
    int defaultMaxBatchSize, int globalMaxQueueSize, OnnxOptions onnx, boolean cudaAvailable) {

  public LifecycleConfig {
    if (defaultMaxBatchSize < 0) {
      throw new IllegalArgumentException(
          "defaultMaxBatchSize: " + defaultMaxBatchSize + " (expected: >= 0)");
    }
    if (globalMaxQueueSize < 1) {
      throw new IllegalArgumentException(
          "globalMaxQueueSize: " + globalMaxQueueSize + " (expected: > 0)");
    }
    if (onnx == null) {
      throw new IllegalArgumentException("onnx: null (expected: ONNX Runtime options)");
    }
  }

  public static LifecycleConfig ofDefaults() {
    return new LifecycleConfig(4, 4096, OnnxOptions.ofDefaults(), false);
  }
}
