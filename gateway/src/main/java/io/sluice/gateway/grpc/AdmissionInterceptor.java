package io.sluice.gateway.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.sluice.gateway.core.FrontDoor;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import io.sluice.runtime.Status;
import java.util.Set;

/**
 * Load shedding at the gRPC front door: asks the {@link FrontDoor} when an inference call starts
 * (its headers decoded, its message not yet handed to a listener) and closes a refused call with
 * UNAVAILABLE and the retry trailers ({@code grpc-retry-pushback-ms}, {@code retry-after}), so
 * nothing of it reaches the service. grpc-java still parses the message of a closed call before
 * dropping it (it parses before any listener runs); the model never sees it. A stream
 * ({@code ModelStreamInfer}) is asked once, when it opens. Other methods pass untouched.
 */
final class AdmissionInterceptor implements ServerInterceptor {
  static final Set<String> INFERENCE_METHODS = Set.of(
      GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName(),
      GRPCInferenceServiceGrpc.getModelStreamInferMethod().getFullMethodName());

  private final FrontDoor door;

  AdmissionInterceptor(FrontDoor door) {
    this.door = door;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (!INFERENCE_METHODS.contains(call.getMethodDescriptor().getFullMethodName())) {
      return next.startCall(call, headers);
    }
    Status refusal = door.checkAdmission();
    if (refusal == null) {
      return next.startCall(call, headers);
    }
    call.close(GrpcStatuses.toGrpc(refusal), GrpcStatuses.trailers(refusal));
    return new ServerCall.Listener<>() {};
  }
}
