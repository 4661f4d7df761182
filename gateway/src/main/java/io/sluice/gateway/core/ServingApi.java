package io.sluice.gateway.core;

import io.sluice.proto.inference.GrpcService.ModelStatisticsResponse;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Everything the HTTP and gRPC front ends need, in protocol-neutral terms. Every method is safe to
 * call on an event loop: none blocks (loading and inference complete futures on other threads).
 *
 * <p>{@code version} arguments are decimal strings; "" (or null) means the model's latest ready
 * version. Methods that take a model throw {@link io.sluice.runtime.StatusException} NOT_FOUND for
 * an unknown model or version.
 */
public interface ServingApi {

  /** Server name, version and the protocol extensions really implemented. */
  ServerInfo serverInfo();

  boolean isLive();

  /** Strict by default: every model that should be loaded is READY. */
  boolean isReady();

  boolean isModelReady(String model, String version);

  ModelMetadata modelMetadata(String model, String version);

  /** The effective config (config.pbtxt completed by autofill). */
  ModelConfig modelConfig(String model, String version);

  /**
   * Statistics of one model version, every version of one model ({@code version} empty), or
   * every model ({@code model} empty), in Triton's shape.
   */
  ModelStatisticsResponse statistics(String model, String version);

  /** Runs a request; the future fails with a StatusException for any error. */
  CompletableFuture<V2InferResponse> infer(String model, String version, V2InferRequest request);

  /** Every model in the repository with its versions' states. */
  List<IndexEntry> repositoryIndex(boolean readyOnly);

  /**
   * Loads (or reloads) a model. {@code parameters} may carry {@code "config"}: a JSON
   * ModelConfig that replaces config.pbtxt, as Triton's load API allows.
   */
  CompletableFuture<Void> load(String model, Map<String, String> parameters);

  CompletableFuture<Void> unload(String model);

  /**
   * Counts a request a front end answered with an error, whichever layer found it (a malformed
   * body as much as a failed model run), so no rejected request goes uncounted.
   *
   * @param protocol {@code http} or {@code grpc}
   * @param code the status name, e.g. {@code INVALID_ARGUMENT}
   */
  default void recordError(String protocol, String code) {}

  /** Server name, version and extensions, for {@code GET /v2} and gRPC ServerMetadata. */
  record ServerInfo(String name, String version, List<String> extensions) {
    public ServerInfo {
      extensions = List.copyOf(extensions);
    }
  }
}
