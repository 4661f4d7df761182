package io.sluice.gateway.grpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.grpc.stub.StreamObserver;
import io.sluice.gateway.core.TrafficControl;
import io.sluice.proto.admin.v1.AdminProto.AdminRequest;
import io.sluice.proto.admin.v1.AdminProto.GetTrafficRequest;
import io.sluice.proto.admin.v1.AdminProto.PutFaultsRequest;
import io.sluice.proto.admin.v1.AdminProto.PutTrafficRequest;
import io.sluice.proto.admin.v1.AdminProto.TrafficStatus;
import io.sluice.proto.admin.v1.TrafficAdminGrpc;
import io.sluice.runtime.Status;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * {@code sluice.admin.v1.TrafficAdmin}: the rollout admin API for deployments that expose only
 * gRPC. It is a thin skin over the same {@link TrafficControl} the HTTP endpoints call, with the
 * same JSON bodies in and the same status document out, so a refusal carries the very message
 * HTTP's 400 does ({@link GrpcStatuses} maps the code). Every method is admin-guarded ({@link
 * #METHODS}, given to the {@link AdminInterceptor}). The operations only swap references and
 * schedule work, so they run on the event loop like the rest of the server.
 */
final class TrafficAdminService extends TrafficAdminGrpc.TrafficAdminImplBase {
  /** Every method: all of them change or reveal the control plane. */
  static final Set<String> METHODS = Set.of(
      TrafficAdminGrpc.getGetTrafficMethod().getFullMethodName(),
      TrafficAdminGrpc.getPutTrafficMethod().getFullMethodName(),
      TrafficAdminGrpc.getPromoteMethod().getFullMethodName(),
      TrafficAdminGrpc.getRollbackMethod().getFullMethodName(),
      TrafficAdminGrpc.getRolloutMethod().getFullMethodName(),
      TrafficAdminGrpc.getPutFaultsMethod().getFullMethodName());

  private static final JsonFactory JSON = new JsonFactory();

  private final TrafficControl control;

  TrafficAdminService(TrafficControl control) {
    this.control = control;
  }

  @Override
  public void getTraffic(GetTrafficRequest request, StreamObserver<TrafficStatus> observer) {
    answer(request.getModel(), observer, () -> control.checkTraffic(request.getModel()));
  }

  @Override
  public void putTraffic(PutTrafficRequest request, StreamObserver<TrafficStatus> observer) {
    answer(request.getModel(), observer,
        () -> control.putTraffic(request.getModel(), bytes(request.getPolicyJson())));
  }

  @Override
  public void promote(AdminRequest request, StreamObserver<TrafficStatus> observer) {
    answer(request.getModel(), observer,
        () -> control.promote(request.getModel(), bytes(request.getBodyJson())));
  }

  @Override
  public void rollback(AdminRequest request, StreamObserver<TrafficStatus> observer) {
    answer(request.getModel(), observer,
        () -> control.rollback(request.getModel(), bytes(request.getBodyJson())));
  }

  @Override
  public void rollout(AdminRequest request, StreamObserver<TrafficStatus> observer) {
    answer(request.getModel(), observer,
        () -> control.rollout(request.getModel(), bytes(request.getBodyJson())));
  }

  @Override
  public void putFaults(PutFaultsRequest request, StreamObserver<TrafficStatus> observer) {
    answer(request.getModel(), observer, () -> {
      if (request.getVersion().isEmpty()) {
        // HTTP cannot route a faults call without a version; say what it would have said.
        throw Status.invalidArgument("version: missing (expected: the version whose faults to"
            + " set, e.g. \"4\")").asException();
      }
      control.putFaults(request.getModel(), request.getVersion(), bytes(request.getFaultsJson()));
    });
  }

  /** Runs {@code change}, then answers the status document, or the failure's status. */
  private void answer(String model, StreamObserver<TrafficStatus> observer, Runnable change) {
    TrafficStatus status;
    try {
      if (model.isEmpty()) {
        throw Status.invalidArgument("model: missing (expected: a model name)").asException();
      }
      change.run();
      status = TrafficStatus.newBuilder().setTrafficJson(status(model)).build();
    } catch (RuntimeException e) {
      observer.onError(GrpcStatuses.toException(e));
      return;
    }
    observer.onNext(status);
    observer.onCompleted();
  }

  private String status(String model) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      control.writeTraffic(model, g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }
}
