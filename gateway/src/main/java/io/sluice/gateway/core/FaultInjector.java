package io.sluice.gateway.core;

import io.sluice.gateway.model.LoadedVersion;
import io.sluice.runtime.InferenceRequest;
import io.sluice.runtime.InferenceResponse;
import java.util.concurrent.CompletableFuture;

/**
 * Runs one admitted request on its version's scheduler, where a drill may inject an error or a
 * delay (the admin API's {@code PUT /v2/models/{m}/versions/{v}/faults}). It must never block:
 * an injected delay completes the future later, from a scheduler thread.
 */
@FunctionalInterface
public interface FaultInjector {
  /** No faults: the scheduler's own future. */
  FaultInjector NONE = (v, work) -> v.scheduler().enqueue(work);

  CompletableFuture<InferenceResponse> run(LoadedVersion version, InferenceRequest work);
}
