package io.sluice.gateway.monitor;

import java.nio.file.Path;

/**
 * Where and how the prediction log is written.
 *
 * @param dir the folder of {@code predictions.jsonl}; null: no log
 * @param maxBytes rotate past this size
 * @param files rotated files kept besides the current one
 */
public record PredictionLogConfig(Path dir, int maxBytes, int files) {
  public PredictionLogConfig {
    if (maxBytes < 1024) {
      throw new IllegalArgumentException(
          "predictionLogMaxBytes: " + maxBytes + " (expected: >= 1024)");
    }
    if (files < 0) {
      throw new IllegalArgumentException("predictionLogFiles: " + files + " (expected: >= 0)");
    }
  }

  public boolean enabled() {
    return dir != null;
  }
}
