package io.sluice.gateway.http;

import io.sluice.gateway.core.IndexEntry;
import io.sluice.gateway.core.ModelMetadata;
import io.sluice.gateway.request.RequestedOutput;
import io.sluice.gateway.core.ServingApi;
import io.sluice.gateway.core.TensorMetadata;
import io.sluice.gateway.core.V2InferRequest;
import io.sluice.gateway.core.V2InferResponse;
import io.sluice.proto.inference.GrpcService.InferStatistics;
import io.sluice.proto.inference.GrpcService.ModelStatistics;
import io.sluice.proto.inference.GrpcService.ModelStatisticsResponse;
import io.sluice.proto.inference.GrpcService.StatisticDuration;
import io.sluice.proto.inference.ModelConfigProto.DataType;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelDynamicBatching;
import io.sluice.proto.inference.ModelConfigProto.ModelInput;
import io.sluice.runtime.Status;
import io.sluice.runtime.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A {@link ServingApi} with one model, "echo" (version 1), whose inference returns its inputs as
 * outputs (only the requested ones, in the requested order, when outputs are named). Futures
 * complete on the fake's own thread, never on an event loop, as the runtime's do.
 */
final class FakeServingApi implements ServingApi, AutoCloseable {
  static final String MODEL = "echo";
  static final String FAKE_THREAD = "fake-runtime";

  private final ExecutorService runtime =
      Executors.newSingleThreadExecutor(r -> new Thread(r, FAKE_THREAD));

  volatile boolean live = true;
  volatile boolean ready = true;
  volatile boolean modelReady = true;
  /** Replaces the echo when set; may return a future the test completes itself. */
  volatile Function<V2InferRequest, CompletableFuture<V2InferResponse>> inferOverride;

  volatile V2InferRequest lastRequest;
  volatile String lastModel;
  volatile String lastVersion;
  volatile String completedOn;
  volatile Boolean lastReadyOnly;
  volatile Map<String, String> lastLoadParameters;
  volatile String lastUnloaded;

  @Override
  public ServerInfo serverInfo() {
    return new ServerInfo("sluice", "0.1.0", List.of("classification", "binary_tensor_data",
        "statistics", "model_repository"));
  }

  @Override
  public boolean isLive() {
    return live;
  }

  @Override
  public boolean isReady() {
    return ready;
  }

  @Override
  public boolean isModelReady(String model, String version) {
    check(model, version);
    return modelReady;
  }

  @Override
  public ModelMetadata modelMetadata(String model, String version) {
    check(model, version);
    return new ModelMetadata(model, List.of("1"), "onnxruntime_onnx",
        List.of(new TensorMetadata("x", io.sluice.runtime.DataType.FP32, new long[] {-1, 4})),
        List.of(new TensorMetadata("y", io.sluice.runtime.DataType.FP32, new long[] {-1, 2})));
  }

  @Override
  public ModelConfig modelConfig(String model, String version) {
    check(model, version);
    return config(model);
  }

  static ModelConfig config(String model) {
    return ModelConfig.newBuilder()
        .setName(model)
        .setPlatform("onnxruntime_onnx")
        .setMaxBatchSize(8)
        .addInput(ModelInput.newBuilder().setName("x").setDataType(DataType.TYPE_FP32)
            .addDims(4))
        .setDynamicBatching(ModelDynamicBatching.newBuilder().addPreferredBatchSize(8)
            .setMaxQueueDelayMicroseconds(100))
        .build();
  }

  @Override
  public ModelStatisticsResponse statistics(String model, String version) {
    if (!model.isEmpty()) {
      check(model, version);
    }
    return ModelStatisticsResponse.newBuilder()
        .addModelStats(ModelStatistics.newBuilder()
            .setName(MODEL)
            .setVersion("1")
            .setInferenceCount(3)
            .setExecutionCount(2)
            .setInferenceStats(InferStatistics.newBuilder()
                .setSuccess(StatisticDuration.newBuilder().setCount(3).setNs(3000))
                .setQueue(StatisticDuration.newBuilder().setCount(3).setNs(300))))
        .build();
  }

  /** What the front door answers: null admits (the default), a status refuses. */
  volatile Status admission;

  @Override
  public Status checkAdmission() {
    return admission;
  }

  /** The protocols of the refusals reported answered, in order. */
  final List<String> refusalsAnswered = new java.util.concurrent.CopyOnWriteArrayList<>();

  @Override
  public void refusalAnswered(String protocol, long seenAt) {
    refusalsAnswered.add(protocol);
  }

  @Override
  public CompletableFuture<V2InferResponse> infer(
      String model, String version, V2InferRequest request) {
    check(model, version);
    lastModel = model;
    lastVersion = version;
    lastRequest = request;
    Function<V2InferRequest, CompletableFuture<V2InferResponse>> override = inferOverride;
    if (override != null) {
      return override.apply(request);
    }
    return CompletableFuture.supplyAsync(() -> {
      completedOn = Thread.currentThread().getName();
      return echo(model, request);
    }, runtime);
  }

  static V2InferResponse echo(String model, V2InferRequest request) {
    List<Tensor> outputs = new ArrayList<>();
    List<Boolean> binary = new ArrayList<>();
    if (request.outputs().isEmpty()) {
      outputs.addAll(request.inputs());
      request.inputs().forEach(t -> binary.add(false));
    } else {
      for (RequestedOutput o : request.outputs()) {
        Tensor t = request.inputs().stream().filter(i -> i.name().equals(o.name())).findFirst()
            .orElseThrow(() -> Status.invalidArgument("unknown output '" + o.name() + "'")
                .asException());
        outputs.add(t);
        binary.add(o.binaryData());
      }
    }
    return new V2InferResponse(model, "1", request.id(), outputs, binary);
  }

  @Override
  public List<IndexEntry> repositoryIndex(boolean readyOnly) {
    lastReadyOnly = readyOnly;
    return List.of(new IndexEntry(MODEL, "1", "READY", ""),
        new IndexEntry("broken", "1", "UNAVAILABLE", "no model file"));
  }

  @Override
  public CompletableFuture<Void> load(String model, Map<String, String> parameters) {
    lastLoadParameters = parameters;
    if (model.equals("missing")) {
      return CompletableFuture.failedFuture(
          Status.notFound("no model 'missing' in the repository").asException());
    }
    return CompletableFuture.runAsync(() -> completedOn = Thread.currentThread().getName(),
        runtime);
  }

  @Override
  public CompletableFuture<Void> unload(String model) {
    lastUnloaded = model;
    return CompletableFuture.runAsync(() -> completedOn = Thread.currentThread().getName(),
        runtime);
  }

  private static void check(String model, String version) {
    if (!model.equals(MODEL)) {
      throw Status.notFound("unknown model '" + model + "'").asException();
    }
    if (!version.isEmpty() && !version.equals("1")) {
      throw Status.notFound("unknown version " + version + " of model '" + model + "'")
          .asException();
    }
  }

  @Override
  public void close() {
    runtime.shutdownNow();
  }

  /** Every error recorded, as "protocol code". */
  final List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
  final java.util.concurrent.atomic.AtomicInteger disconnects =
      new java.util.concurrent.atomic.AtomicInteger();

  @Override
  public void recordError(String protocol, String code) {
    errors.add(protocol + " " + code);
  }

  @Override
  public void recordClientDisconnect(String protocol) {
    disconnects.incrementAndGet();
  }
}
