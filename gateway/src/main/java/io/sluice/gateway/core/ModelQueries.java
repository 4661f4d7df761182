package io.sluice.gateway.core;

import io.sluice.proto.inference.GrpcService.ModelStatisticsResponse;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import java.util.List;

/**
 * Health, metadata, config and statistics: answers at once from published snapshots, never
 * blocks. Methods that take a model throw {@link io.sluice.runtime.StatusException} NOT_FOUND for
 * an unknown model or version; {@code version} "" (or null) means the latest ready one.
 */
public interface ModelQueries {

  /** Server name, version and the protocol extensions really implemented. */
  ServerInfo serverInfo();

  boolean isLive();

  /** Strict by default: every model that should be loaded is READY; false while shutting down. */
  boolean isReady();

  /**
   * The process is shutting down: front ends close keep-alive connections after their current
   * response (HTTP {@code Connection: close}; gRPC stops on its own with GOAWAY).
   */
  default boolean isDraining() {
    return false;
  }

  boolean isModelReady(String model, String version);

  ModelMetadata modelMetadata(String model, String version);

  /** The effective config (config.pbtxt completed by autofill). */
  ModelConfig modelConfig(String model, String version);

  /**
   * What TF Serving's {@code :predict} needs of the version; the server's is built once per
   * loaded version. This default builds it on each call.
   */
  default PredictSignature predictSignature(String model, String version) {
    return PredictSignature.of(modelMetadata(model, version), modelConfig(model, version));
  }

  /**
   * Statistics of one model version, every version of one model ({@code version} empty), or
   * every model ({@code model} empty), in Triton's shape.
   */
  ModelStatisticsResponse statistics(String model, String version);

  /** Server name, version and extensions, for {@code GET /v2} and gRPC ServerMetadata. */
  record ServerInfo(String name, String version, List<String> extensions) {
    public ServerInfo {
      extensions = List.copyOf(extensions);
    }
  }
}
