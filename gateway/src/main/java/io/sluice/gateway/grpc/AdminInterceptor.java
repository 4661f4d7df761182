package io.sluice.gateway.grpc;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.sluice.gateway.security.AdminGuard;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import java.util.Set;

/**
 * The {@link AdminGuard} in front of the control-plane methods it is given (by full method name):
 * a denied call is closed with UNAUTHENTICATED (token missing or wrong) or PERMISSION_DENIED (off
 * loopback with no token configured) before its handler sees it, so nothing changes. Other
 * methods pass untouched.
 */
final class AdminInterceptor implements ServerInterceptor {
  /** Triton's repository API: the control plane of {@code GRPCInferenceService}. */
  static final Set<String> REPOSITORY_METHODS = Set.of(
      GRPCInferenceServiceGrpc.getRepositoryIndexMethod().getFullMethodName(),
      GRPCInferenceServiceGrpc.getRepositoryModelLoadMethod().getFullMethodName(),
      GRPCInferenceServiceGrpc.getRepositoryModelUnloadMethod().getFullMethodName());

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final AdminGuard guard;
  private final Set<String> methods;

  AdminInterceptor(AdminGuard guard, Set<String> methods) {
    this.guard = guard;
    this.methods = Set.copyOf(methods);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (!methods.contains(call.getMethodDescriptor().getFullMethodName())) {
      return next.startCall(call, headers);
    }
    AdminGuard.Verdict verdict = guard.check("grpc",
        call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR), headers.get(AUTHORIZATION));
    if (verdict.allowed()) {
      return next.startCall(call, headers);
    }
    Status status = verdict.wantsToken() ? Status.UNAUTHENTICATED : Status.PERMISSION_DENIED;
    call.close(status.withDescription(verdict.message()), new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
