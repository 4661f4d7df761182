package io.sluice.gateway.grpc;

import io.sluice.gateway.core.V2InferRequest;
import io.sluice.gateway.core.V2InferResponse;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import io.sluice.proto.inference.GrpcService.ModelInferResponse;
import java.util.function.BooleanSupplier;

/**
 * The gRPC codec of KServe V2 as a public surface for the benchmarks ({@code bench}), and nothing
 * else: {@link InferRequestDecoder} and {@link InferResponseEncoder} stay package-private, and
 * these calls reach them exactly as the service does. Not for serving code.
 */
public final class GrpcCodecs {
  private GrpcCodecs() {}

  /**
   * Decodes a parsed {@code ModelInferRequest} into tensors.
   *
   * @param deadlineNanos the call's absolute deadline on {@link System#nanoTime()}, {@link
   *     Long#MAX_VALUE} for none
   * @param cancelled true once the caller has gone away
   * @throws io.sluice.runtime.StatusException INVALID_ARGUMENT for a malformed request
   */
  public static V2InferRequest decode(
      ModelInferRequest request, long deadlineNanos, BooleanSupplier cancelled) {
    return InferRequestDecoder.decode(request, deadlineNanos, cancelled);
  }

  /** Encodes {@code response} with its tensors in {@code raw_output_contents}. */
  public static ModelInferResponse encode(V2InferResponse response) {
    return InferResponseEncoder.encode(response);
  }
}
