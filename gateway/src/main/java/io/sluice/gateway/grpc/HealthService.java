package io.sluice.gateway.grpc;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import io.sluice.gateway.core.ServingApi;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import io.sluice.runtime.Status;

/**
 * {@code grpc.health.v1.Health}, answered from the {@link ServingApi} at the moment of each check
 * so it can never disagree with ServerReady: the empty service and {@code
 * inference.GRPCInferenceService} stand for the server, any other name for a model (its latest
 * version). A name the server does not know is NOT_FOUND, as the health protocol asks.
 *
 * <p>{@code Watch} is UNIMPLEMENTED: it would need a push whenever readiness changes, and the
 * protocol lets a client (Kubernetes probes, grpc-java's client-side health checking) fall back
 * to Check or treat the server as healthy.
 */
final class HealthService extends HealthGrpc.HealthImplBase {
  private static final String INFERENCE_SERVICE = GRPCInferenceServiceGrpc.SERVICE_NAME;

  private final ServingApi api;

  HealthService(ServingApi api) {
    this.api = api;
  }

  @Override
  public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> observer) {
    ServingStatus status;
    try {
      status = serving(request.getService()) ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    } catch (RuntimeException e) {
      observer.onError(GrpcStatuses.toException(e));
      return;
    }
    observer.onNext(HealthCheckResponse.newBuilder().setStatus(status).build());
    observer.onCompleted();
  }

  @Override
  public void watch(HealthCheckRequest request, StreamObserver<HealthCheckResponse> observer) {
    observer.onError(GrpcStatuses.toException(Status.unimplemented(
            "grpc.health.v1.Health/Watch is not supported by Sluice (expected: Check)")
        .asException()));
  }

  private boolean serving(String service) {
    if (service.isEmpty() || service.equals(INFERENCE_SERVICE)) {
      return api.isReady();
    }
    return api.isModelReady(service, "");
  }
}
