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
 * ({@code ModelStreamInfer}) is asked once, when it opens. Other methods pass untouched. A
 * refusal's own cost, from the call's start to its close handed to the transport, goes to the
 * front door's {@code sluice_admission_reject_seconds{protocol="grpc"}}.
 */
final class AdmissionInterceptor implements ServerInterceptor {
  static final Set<String> INFERENCE_METHODS = Set.of(
      GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName(),
      GRPCInferenceServiceGrpc.getModelStreamInferMethod().getFullMethodName());

  private final FrontDoor door;
  /**
   * The last refusal with its gRPC status: the front door hands out one immutable refusal, so its
   * text is cleaned once rather than per refused call. The trailers are made per call (the
   * transport adds the status to them).
   */
  private volatile Converted last;

  private record Converted(Status refusal, io.grpc.Status status) {}

  AdmissionInterceptor(FrontDoor door) {
    this.door = door;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (!INFERENCE_METHODS.contains(call.getMethodDescriptor().getFullMethodName())) {
      return next.startCall(call, headers);
    }
    long seenAt = door.refusalClock();
    Status refusal = door.checkAdmission();
    if (refusal == null) {
      return next.startCall(call, headers);
    }
    call.close(grpcStatus(refusal), GrpcStatuses.trailers(refusal));
    door.refusalAnswered("grpc", seenAt);
    return new ServerCall.Listener<>() {};
  }

  private io.grpc.Status grpcStatus(Status refusal) {
    Converted c = last;
    if (c == null || c.refusal() != refusal) {
      c = new Converted(refusal, GrpcStatuses.toGrpc(refusal));
      last = c;
    }
    return c.status();
  }
}
