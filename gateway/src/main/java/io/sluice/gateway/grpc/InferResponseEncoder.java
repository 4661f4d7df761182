package io.sluice.gateway.grpc;

import com.google.protobuf.UnsafeByteOperations;
import io.sluice.gateway.core.V2InferResponse;
import io.sluice.gateway.model.Selection;
import io.sluice.proto.inference.GrpcService.InferParameter;
import io.sluice.proto.inference.GrpcService.ModelInferResponse;
import io.sluice.proto.inference.GrpcService.ModelInferResponse.InferOutputTensor;
import io.sluice.runtime.Tensor;

/**
 * Turns a {@link V2InferResponse} into a {@code ModelInferResponse}.
 *
 * <p>Every output goes in {@code raw_output_contents}, one entry per output in order, and never in
 * typed {@code contents}: Triton's C++ client indexes the raw list blindly and the Python client
 * reads it first. Each entry wraps the tensor's buffer without copying; that is safe because a
 * tensor's bytes are never written once it is built, and the message is serialized before the
 * call completes.
 *
 * <p>A streamed answer also names its route in {@code parameters["sluice_route"]}: a stream sends
 * its headers once, before the first answer, so {@code x-sluice-route} metadata could not say
 * which route each answer took.
 */
final class InferResponseEncoder {
  /** The response parameter that carries a streamed answer's route. */
  static final String ROUTE_PARAMETER = "sluice_route";

  // One immutable message per route, so a streamed answer allocates none for it.
  private static final java.util.Map<String, InferParameter> ROUTES =
      java.util.Arrays.stream(Selection.Route.values()).collect(
          java.util.stream.Collectors.toUnmodifiableMap(Selection.Route::label,
              r -> InferParameter.newBuilder().setStringParam(r.label()).build()));

  private InferResponseEncoder() {}

  static ModelInferResponse encode(V2InferResponse response) {
    return encode(response, false);
  }

  /** As above; with {@code routeParameter}, the route goes in {@link #ROUTE_PARAMETER}. */
  static ModelInferResponse encode(V2InferResponse response, boolean routeParameter) {
    ModelInferResponse.Builder out = ModelInferResponse.newBuilder()
        .setModelName(response.modelName())
        .setModelVersion(response.modelVersion())
        .setId(response.id());
    if (routeParameter) {
      InferParameter route = ROUTES.get(response.route());
      out.putParameters(ROUTE_PARAMETER, route != null ? route
          : InferParameter.newBuilder().setStringParam(response.route()).build());
    }
    for (Tensor tensor : response.outputs()) {
      InferOutputTensor.Builder output = out.addOutputsBuilder()
          .setName(tensor.name())
          .setDatatype(tensor.type().v2Name());
      for (int d = 0; d < tensor.rank(); d++) {
        output.addShape(tensor.dim(d));
      }
      out.addRawOutputContents(UnsafeByteOperations.unsafeWrap(tensor.data()));
    }
    return out.build();
  }
}
