package io.sluice.gateway.grpc;

import com.google.protobuf.UnsafeByteOperations;
import io.sluice.gateway.core.V2InferResponse;
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
 */
final class InferResponseEncoder {

  private InferResponseEncoder() {}

  static ModelInferResponse encode(V2InferResponse response) {
    ModelInferResponse.Builder out = ModelInferResponse.newBuilder()
        .setModelName(response.modelName())
        .setModelVersion(response.modelVersion())
        .setId(response.id());
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
