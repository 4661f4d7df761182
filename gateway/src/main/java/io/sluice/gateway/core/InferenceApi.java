package io.sluice.gateway.core;

import java.util.concurrent.CompletableFuture;

/** The data plane: runs inference requests. Safe to call on an event loop: it never blocks. */
@FunctionalInterface
public interface InferenceApi {

  /**
   * Runs a request on the version the model's selector picks ({@code version} "" or null: the
   * latest ready one). The future fails with a StatusException for any error and completes on
   * the request context's completion executor.
   */
  CompletableFuture<V2InferResponse> infer(String model, String version, V2InferRequest request);
}
