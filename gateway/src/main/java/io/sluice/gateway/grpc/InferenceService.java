package io.sluice.gateway.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.sluice.gateway.core.IndexEntry;
import io.sluice.gateway.core.ModelMetadata;
import io.sluice.gateway.core.ServingApi;
import io.sluice.gateway.core.TensorMetadata;
import io.sluice.gateway.core.V2InferRequest;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase;
import io.sluice.proto.inference.GrpcService.CudaSharedMemoryRegisterRequest;
import io.sluice.proto.inference.GrpcService.CudaSharedMemoryRegisterResponse;
import io.sluice.proto.inference.GrpcService.CudaSharedMemoryStatusRequest;
import io.sluice.proto.inference.GrpcService.CudaSharedMemoryStatusResponse;
import io.sluice.proto.inference.GrpcService.CudaSharedMemoryUnregisterRequest;
import io.sluice.proto.inference.GrpcService.CudaSharedMemoryUnregisterResponse;
import io.sluice.proto.inference.GrpcService.LogSettingsRequest;
import io.sluice.proto.inference.GrpcService.LogSettingsResponse;
import io.sluice.proto.inference.GrpcService.ModelConfigRequest;
import io.sluice.proto.inference.GrpcService.ModelConfigResponse;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import io.sluice.proto.inference.GrpcService.ModelInferResponse;
import io.sluice.proto.inference.GrpcService.ModelMetadataRequest;
import io.sluice.proto.inference.GrpcService.ModelMetadataResponse;
import io.sluice.proto.inference.GrpcService.ModelReadyRequest;
import io.sluice.proto.inference.GrpcService.ModelReadyResponse;
import io.sluice.proto.inference.GrpcService.ModelRepositoryParameter;
import io.sluice.proto.inference.GrpcService.ModelStatisticsRequest;
import io.sluice.proto.inference.GrpcService.ModelStatisticsResponse;
import io.sluice.proto.inference.GrpcService.ModelStreamInferResponse;
import io.sluice.proto.inference.GrpcService.RepositoryIndexRequest;
import io.sluice.proto.inference.GrpcService.RepositoryIndexResponse;
import io.sluice.proto.inference.GrpcService.RepositoryModelLoadRequest;
import io.sluice.proto.inference.GrpcService.RepositoryModelLoadResponse;
import io.sluice.proto.inference.GrpcService.RepositoryModelUnloadRequest;
import io.sluice.proto.inference.GrpcService.RepositoryModelUnloadResponse;
import io.sluice.proto.inference.GrpcService.ServerLiveRequest;
import io.sluice.proto.inference.GrpcService.ServerLiveResponse;
import io.sluice.proto.inference.GrpcService.ServerMetadataRequest;
import io.sluice.proto.inference.GrpcService.ServerMetadataResponse;
import io.sluice.proto.inference.GrpcService.ServerReadyRequest;
import io.sluice.proto.inference.GrpcService.ServerReadyResponse;
import io.sluice.proto.inference.GrpcService.SystemSharedMemoryRegisterRequest;
import io.sluice.proto.inference.GrpcService.SystemSharedMemoryRegisterResponse;
import io.sluice.proto.inference.GrpcService.SystemSharedMemoryStatusRequest;
import io.sluice.proto.inference.GrpcService.SystemSharedMemoryStatusResponse;
import io.sluice.proto.inference.GrpcService.SystemSharedMemoryUnregisterRequest;
import io.sluice.proto.inference.GrpcService.SystemSharedMemoryUnregisterResponse;
import io.sluice.proto.inference.GrpcService.TraceSettingRequest;
import io.sluice.proto.inference.GrpcService.TraceSettingResponse;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Triton's {@code inference.GRPCInferenceService} over a {@link ServingApi}.
 *
 * <p>Handlers run on the transport thread (the server uses a direct executor) and none of them
 * blocks: control calls answer at once, and inference completes its observer from the future the
 * runtime completes. Every failure reaches the client through {@link GrpcStatuses}. Shared
 * memory, trace and log settings are not implemented and say so, with what to use instead.
 */
final class InferenceService extends GRPCInferenceServiceImplBase {
  private static final String SHARED_MEMORY_UNSUPPORTED =
      " shared memory is not supported by Sluice (expected: tensors in raw_input_contents)";

  private final ServingApi api;
  private final EventExecutor[] loops;

  /** Counts an error answered inside a stream, which the call-level interceptor cannot see. */
  void recordError(String code) {
    api.recordError("grpc", code);
  }

  InferenceService(ServingApi api) {
    this.api = api;
    this.loops = new EventExecutor[0];
  }

  /**
   * @param loops the event loops calls arrive on: a request's completion (shaping, listeners,
   *     protobuf encoding, the write) runs on the loop its call arrived on, not on the engine's
   *     instance thread
   */
  InferenceService(ServingApi api, EventLoopGroup loops) {
    this.api = api;
    List<EventExecutor> all = new ArrayList<>();
    loops.forEach(all::add);
    this.loops = all.toArray(new EventExecutor[0]);
  }

  @Override
  public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> observer) {
    reply(observer, () -> ServerLiveResponse.newBuilder().setLive(api.isLive()).build());
  }

  @Override
  public void serverReady(
      ServerReadyRequest request, StreamObserver<ServerReadyResponse> observer) {
    reply(observer, () -> ServerReadyResponse.newBuilder().setReady(api.isReady()).build());
  }

  @Override
  public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> observer) {
    reply(observer, () -> ModelReadyResponse.newBuilder()
        .setReady(isModelReady(request.getName(), request.getVersion()))
        .build());
  }

  @Override
  public void serverMetadata(
      ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> observer) {
    reply(observer, () -> {
      ServingApi.ServerInfo info = api.serverInfo();
      return ServerMetadataResponse.newBuilder()
          .setName(info.name())
          .setVersion(info.version())
          .addAllExtensions(info.extensions())
          .build();
    });
  }

  @Override
  public void modelMetadata(
      ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> observer) {
    reply(observer, () -> metadata(api.modelMetadata(request.getName(), request.getVersion())));
  }

  @Override
  public void modelConfig(
      ModelConfigRequest request, StreamObserver<ModelConfigResponse> observer) {
    reply(observer, () -> ModelConfigResponse.newBuilder()
        .setConfig(api.modelConfig(request.getName(), request.getVersion()))
        .build());
  }

  @Override
  public void modelStatistics(
      ModelStatisticsRequest request, StreamObserver<ModelStatisticsResponse> observer) {
    reply(observer, () -> api.statistics(request.getName(), request.getVersion()));
  }

  @Override
  public void repositoryIndex(
      RepositoryIndexRequest request, StreamObserver<RepositoryIndexResponse> observer) {
    // Sluice serves one repository, so repository_name selects nothing.
    reply(observer, () -> {
      RepositoryIndexResponse.Builder out = RepositoryIndexResponse.newBuilder();
      for (IndexEntry entry : api.repositoryIndex(request.getReady())) {
        out.addModelsBuilder()
            .setName(entry.name())
            .setVersion(entry.version())
            .setState(entry.state())
            .setReason(entry.reason());
      }
      return out.build();
    });
  }

  @Override
  public void repositoryModelLoad(
      RepositoryModelLoadRequest request, StreamObserver<RepositoryModelLoadResponse> observer) {
    replyLater(observer, () -> api
        .load(request.getModelName(), loadParameters(request.getParametersMap()))
        .thenApply(done -> RepositoryModelLoadResponse.getDefaultInstance()));
  }

  @Override
  public void repositoryModelUnload(
      RepositoryModelUnloadRequest request,
      StreamObserver<RepositoryModelUnloadResponse> observer) {
    replyLater(observer, () -> api
        .unload(request.getModelName())
        .thenApply(done -> RepositoryModelUnloadResponse.getDefaultInstance()));
  }

  @Override
  public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> observer) {
    ServerCallStreamObserver<ModelInferResponse> call =
        (ServerCallStreamObserver<ModelInferResponse>) observer;
    java.util.concurrent.atomic.AtomicReference<String> route =
        RouteMetadataInterceptor.ROUTE.get();
    replyLater(observer, () -> infer(request, deadlineNanos(Context.current()), call::isCancelled,
        currentLoop(), route, false));
  }

  @Override
  public StreamObserver<ModelInferRequest> modelStreamInfer(
      StreamObserver<ModelStreamInferResponse> observer) {
    return new StreamInferCall(
        this,
        (ServerCallStreamObserver<ModelStreamInferResponse>) observer,
        deadlineNanos(Context.current()),
        currentLoop());
  }

  @Override
  public void systemSharedMemoryStatus(
      SystemSharedMemoryStatusRequest request,
      StreamObserver<SystemSharedMemoryStatusResponse> observer) {
    unimplemented(observer, "system" + SHARED_MEMORY_UNSUPPORTED);
  }

  @Override
  public void systemSharedMemoryRegister(
      SystemSharedMemoryRegisterRequest request,
      StreamObserver<SystemSharedMemoryRegisterResponse> observer) {
    unimplemented(observer, "system" + SHARED_MEMORY_UNSUPPORTED);
  }

  @Override
  public void systemSharedMemoryUnregister(
      SystemSharedMemoryUnregisterRequest request,
      StreamObserver<SystemSharedMemoryUnregisterResponse> observer) {
    unimplemented(observer, "system" + SHARED_MEMORY_UNSUPPORTED);
  }

  @Override
  public void cudaSharedMemoryStatus(
      CudaSharedMemoryStatusRequest request,
      StreamObserver<CudaSharedMemoryStatusResponse> observer) {
    unimplemented(observer, "CUDA" + SHARED_MEMORY_UNSUPPORTED);
  }

  @Override
  public void cudaSharedMemoryRegister(
      CudaSharedMemoryRegisterRequest request,
      StreamObserver<CudaSharedMemoryRegisterResponse> observer) {
    unimplemented(observer, "CUDA" + SHARED_MEMORY_UNSUPPORTED);
  }

  @Override
  public void cudaSharedMemoryUnregister(
      CudaSharedMemoryUnregisterRequest request,
      StreamObserver<CudaSharedMemoryUnregisterResponse> observer) {
    unimplemented(observer, "CUDA" + SHARED_MEMORY_UNSUPPORTED);
  }

  @Override
  public void traceSetting(
      TraceSettingRequest request, StreamObserver<TraceSettingResponse> observer) {
    unimplemented(observer, "trace settings are not supported by Sluice");
  }

  @Override
  public void logSettings(
      LogSettingsRequest request, StreamObserver<LogSettingsResponse> observer) {
    unimplemented(observer, "log settings are not supported by Sluice");
  }

  /**
   * Decodes and runs one request of ModelStreamInfer (ModelInfer takes the same path). The future fails,
   * rather than this method throwing, for a bad request too. The answer names its route in
   * its parameters (see {@link InferResponseEncoder#ROUTE_PARAMETER}).
   */
  CompletableFuture<ModelInferResponse> infer(
      ModelInferRequest request, long deadlineNanos, BooleanSupplier cancelled,
      Executor completion) {
    return infer(request, deadlineNanos, cancelled, completion, null, true);
  }

  /**
   * As above; {@code route}, when given, receives the answer's route for the headers (a unary
   * call), and with {@code routeParameter} the answer carries it in its parameters (a stream,
   * whose headers are gone by then).
   */
  private CompletableFuture<ModelInferResponse> infer(
      ModelInferRequest request, long deadlineNanos, BooleanSupplier cancelled,
      Executor completion, java.util.concurrent.atomic.AtomicReference<String> route,
      boolean routeParameter) {
    try {
      V2InferRequest decoded = InferRequestDecoder.decode(request,
          ContextMetadataInterceptor.HEADERS.get(), deadlineNanos, cancelled, completion);
      // The core completes on `completion` (the call's event loop): encoding runs there too.
      return api.infer(request.getModelName(), request.getModelVersion(), decoded)
          .thenApply(response -> {
            if (route != null) {
              route.set(response.route());
            }
            return InferResponseEncoder.encode(response, routeParameter);
          });
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The event loop running this handler (the server uses a direct executor), or the calling
   * thread when there is none (in-process tests).
   */
  private Executor currentLoop() {
    for (EventExecutor loop : loops) {
      if (loop.inEventLoop()) {
        return loop;
      }
    }
    return Runnable::run;
  }

  /** Triton answers false, not NOT_FOUND, for a model it does not know. */
  private boolean isModelReady(String model, String version) {
    try {
      return api.isModelReady(model, version);
    } catch (StatusException e) {
      if (e.status().code() == Status.Code.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  private static ModelMetadataResponse metadata(ModelMetadata metadata) {
    ModelMetadataResponse.Builder out = ModelMetadataResponse.newBuilder()
        .setName(metadata.name())
        .addAllVersions(metadata.versions())
        .setPlatform(metadata.platform());
    for (TensorMetadata input : metadata.inputs()) {
      out.addInputs(tensorMetadata(input));
    }
    for (TensorMetadata output : metadata.outputs()) {
      out.addOutputs(tensorMetadata(output));
    }
    return out.build();
  }

  private static ModelMetadataResponse.TensorMetadata tensorMetadata(TensorMetadata tensor) {
    ModelMetadataResponse.TensorMetadata.Builder out = ModelMetadataResponse.TensorMetadata
        .newBuilder()
        .setName(tensor.name())
        .setDatatype(tensor.datatype().v2Name());
    for (long d : tensor.shape()) {
      out.addShape(d);
    }
    return out.build();
  }

  /**
   * Load parameters as the {@link ServingApi} takes them: {@code config} (a JSON ModelConfig) and
   * any other string, bool or int64 parameter as its string form. Triton's {@code file:} overrides
   * arrive as bytes and are refused: Sluice loads model files from its repository only.
   */
  private static Map<String, String> loadParameters(
      Map<String, ModelRepositoryParameter> parameters) {
    Map<String, String> out = new LinkedHashMap<>();
    parameters.forEach((name, p) -> out.put(name, switch (p.getParameterChoiceCase()) {
      case STRING_PARAM -> p.getStringParam();
      case BOOL_PARAM -> Boolean.toString(p.getBoolParam());
      case INT64_PARAM -> Long.toString(p.getInt64Param());
      case BYTES_PARAM -> throw Status.unimplemented(
              "parameter '" + name + "': bytes_param (file overrides) is not supported by Sluice"
                  + " (expected: string_param, e.g. \"config\" with a JSON ModelConfig)")
          .asException();
      case PARAMETERCHOICE_NOT_SET -> throw Status.invalidArgument(
              "parameter '" + name + "': no value (expected: string_param, bool_param or"
                  + " int64_param)")
          .asException();
    }));
    return out;
  }

  /** The call's deadline as an absolute {@link System#nanoTime()}, {@code MAX_VALUE} for none. */
  private static long deadlineNanos(Context context) {
    Deadline deadline = context.getDeadline();
    if (deadline == null) {
      return Long.MAX_VALUE;
    }
    long now = System.nanoTime();
    long remaining = deadline.timeRemaining(TimeUnit.NANOSECONDS);
    // A far deadline saturates to "none" instead of wrapping around.
    return remaining >= Long.MAX_VALUE - Math.max(now, 0) ? Long.MAX_VALUE : now + remaining;
  }

  private static <T> void reply(StreamObserver<T> observer, Supplier<T> answer) {
    T value;
    try {
      value = answer.get();
    } catch (RuntimeException e) {
      observer.onError(GrpcStatuses.toException(e));
      return;
    }
    observer.onNext(value);
    observer.onCompleted();
  }

  /** Completes {@code observer} from the future, on whatever thread completes it. */
  private static <T> void replyLater(
      StreamObserver<T> observer, Supplier<CompletableFuture<T>> answer) {
    CompletableFuture<T> future;
    try {
      future = answer.get();
    } catch (RuntimeException e) {
      observer.onError(GrpcStatuses.toException(e));
      return;
    }
    future.whenComplete((value, failure) -> {
      if (failure != null) {
        observer.onError(GrpcStatuses.toException(failure));
      } else {
        observer.onNext(value);
        observer.onCompleted();
      }
    });
  }

  private static void unimplemented(StreamObserver<?> observer, String what) {
    observer.onError(GrpcStatuses.toException(Status.unimplemented(what).asException()));
  }
}
