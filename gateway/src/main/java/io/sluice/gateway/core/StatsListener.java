package io.sluice.gateway.core;

import io.sluice.gateway.metrics.VersionStats;

/**
 * Triton's per-version statistics and the {@code nv_inference_*} meters, fed from the
 * completion pipeline: every request that reached a version is a success or a failure there.
 */
final class StatsListener implements InferenceListener {
  @Override
  public void onInference(InferenceEvent e) {
    VersionStats stats = e.version().stats();
    if (e.succeeded()) {
      stats.recordSuccess(
          e.totalNanos(),
          e.queueNanos(),
          e.computeInputNanos(),
          e.computeInferNanos(),
          e.computeOutputNanos());
    } else {
      stats.recordFailure(e.totalNanos(), e.status().code());
    }
  }
}
