package io.sluice.gateway.core;

import java.util.List;

/**
 * What {@code GET /v2/models/{m}[/versions/{v}]} and gRPC ModelMetadata return.
 *
 * @param versions the versions this answer covers, as decimal strings
 */
public record ModelMetadata(
    String name, List<String> versions, String platform, List<TensorMetadata> inputs,
    List<TensorMetadata> outputs) {

  public ModelMetadata {
    versions = List.copyOf(versions);
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }
}
