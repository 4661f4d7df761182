package io.sluice.gateway.http;

import io.sluice.gateway.core.V2InferRequest;
import java.util.Map;

/**
 * An HTTP inference request after decoding: the protocol-neutral request plus what only the HTTP
 * response encoder needs.
 *
 * @param request what {@link io.sluice.gateway.core.ServingApi#infer} gets
 * @param binaryDataOutput the request's {@code binary_data_output} parameter: the default for
 *     outputs that do not say
 * @param binaryOutputs per named output, whether it goes in the binary section
 */
record DecodedInferRequest(
    V2InferRequest request, boolean binaryDataOutput,
    Map<String, Boolean> binaryOutputs) {

  DecodedInferRequest {
    binaryOutputs = Map.copyOf(binaryOutputs);
  }

  /** Whether output {@code name} goes in the binary section of the response. */
  boolean isBinary(String name, boolean askedByCore) {
    Boolean explicit = binaryOutputs.get(name);
    return explicit != null ? explicit : binaryDataOutput || askedByCore;
  }
}
