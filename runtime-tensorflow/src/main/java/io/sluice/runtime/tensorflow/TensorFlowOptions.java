package io.sluice.runtime.tensorflow;

import java.util.List;

/**
 * How one TensorFlow SavedModel instance is opened.
 *
 * @param intraOpThreads threads inside one operator; 1 on a small machine, so that instances and
 *     event loops do not fight over cores
 * @param interOpThreads threads across independent operators
 * @param signatureKey the signature served, {@code serving_default} unless the model's
 *     parameters name another
 * @param tags the meta-graph tags to load, {@code serve} by default
 */
public record TensorFlowOptions(
    int intraOpThreads, int interOpThreads, String signatureKey, List<String> tags) {

  public TensorFlowOptions {
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intraOpThreads: " + intraOpThreads + " (expected: > 0)");
    }
    if (interOpThreads < 1) {
      throw new IllegalArgumentException("interOpThreads: " + interOpThreads + " (expected: > 0)");
    }
    if (signatureKey == null || signatureKey.isBlank()) {
      throw new IllegalArgumentException(
          "signatureKey: '" + signatureKey + "' (expected: a signature name)");
    }
    if (tags == null || tags.isEmpty()) {
      throw new IllegalArgumentException("tags: " + tags + " (expected: at least one tag)");
    }
    tags = List.copyOf(tags);
  }

  /** One thread each, {@code serving_default}, tag {@code serve}. */
  public static TensorFlowOptions ofDefaults() {
    return new TensorFlowOptions(1, 1, "serving_default", List.of("serve"));
  }
}
