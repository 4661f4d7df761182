package io.sluice.gateway.core;

import io.sluice.runtime.Tensor;
import java.util.List;

/**
 * An inference result ready to encode: outputs in the order they were requested (or in the
 * model's order when none were named), classification already applied.
 *
 * @param modelName the model that ran
 * @param modelVersion the version that ran, as a decimal string
 * @param id the request's id, "" when none
 * @param outputs the outputs to send
 * @param binaryData per output, whether the request asked for it in binary form (HTTP only)
 * @param route how the version was chosen: {@code stable}, {@code canary} or {@code pinned}, sent
 *     as the {@code x-sluice-route} header (HTTP) or metadata (gRPC)
 */
public record V2InferResponse(
    String modelName, String modelVersion, String id, List<Tensor> outputs,
    List<Boolean> binaryData, String route) {

  /** The header and metadata key that names {@link #route}. */
  public static final String ROUTE_HEADER = "x-sluice-route";

  public V2InferResponse {
    outputs = List.copyOf(outputs);
    binaryData = List.copyOf(binaryData);
    route = route == null ? "stable" : route;
  }

  /** An answer of the stable route. */
  public V2InferResponse(
      String modelName, String modelVersion, String id, List<Tensor> outputs,
      List<Boolean> binaryData) {
    this(modelName, modelVersion, id, outputs, binaryData, "stable");
  }
}
