package io.sluice.gateway.grpc;

import io.sluice.gateway.core.IndexEntry;
import io.sluice.gateway.core.ModelMetadata;
import io.sluice.gateway.core.ServingApi;
import io.sluice.gateway.core.TensorMetadata;
import io.sluice.gateway.core.V2InferRequest;
import io.sluice.gateway.core.V2InferResponse;
import io.sluice.proto.inference.GrpcService.ModelStatistics;
import io.sluice.proto.inference.GrpcService.ModelStatisticsResponse;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.runtime.DataType;
import io.sluice.runtime.Status;
import io.sluice.runtime.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link ServingApi} that knows a few models by name, records what it is asked, and echoes
 * inference inputs back as outputs unless a test installs another behaviour. Like the real one, it
 * never blocks.
 */
final class FakeServingApi implements ServingApi {

  /** How the fake answers an inference call. */
  @FunctionalInterface
  interface InferBehaviour {
    CompletableFuture<V2InferResponse> infer(String model, String version, V2InferRequest request);
  }

  /** One inference call as the fake received it. */
  record InferCall(String model, String version, V2InferRequest request, long receivedNanos) {}

  /** One load call. */
  record LoadCall(String model, Map<String, String> parameters) {}

  static final String MODEL = "simple";
  static final String OTHER_MODEL = "other";

  volatile boolean live;
  volatile boolean ready;
  final Map<String, Boolean> modelsReady = new ConcurrentHashMap<>();
  volatile InferBehaviour inferBehaviour;
  volatile CompletableFuture<Void> loadResult;
  final List<InferCall> inferCalls = new CopyOnWriteArrayList<>();
  final List<LoadCall> loadCalls = new CopyOnWriteArrayList<>();
  final List<String> unloadCalls = new CopyOnWriteArrayList<>();

  FakeServingApi() {
    reset();
  }

  /** Back to a live, ready server with two ready models that echo their inputs. */
  void reset() {
    live = true;
    ready = true;
    modelsReady.clear();
    modelsReady.put(MODEL, true);
    modelsReady.put(OTHER_MODEL, true);
    inferBehaviour = FakeServingApi::echo;
    loadResult = CompletableFuture.completedFuture(null);
    inferCalls.clear();
    loadCalls.clear();
    unloadCalls.clear();
  }

  static CompletableFuture<V2InferResponse> echo(
      String model, String version, V2InferRequest request) {
    List<Boolean> binary = Collections.nCopies(request.inputs().size(), false);
    return CompletableFuture.completedFuture(new V2InferResponse(
        model, version.isEmpty() ? "1" : version, request.id(), request.inputs(), binary));
  }

  V2InferRequest lastRequest() {
    return lastCall().request();
  }

  InferCall lastCall() {
    return inferCalls.get(inferCalls.size() - 1);
  }

  Tensor lastInput(int index) {
    return lastRequest().inputs().get(index);
  }

  private void requireModel(String model) {
    if (!modelsReady.containsKey(model)) {
      throw Status.notFound("unknown model '" + model + "'").asException();
    }
  }

  @Override
  public ServerInfo serverInfo() {
    return new ServerInfo("sluice", "0.1.0", List.of("model_repository", "statistics"));
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
    requireModel(model);
    return modelsReady.get(model);
  }

  @Override
  public ModelMetadata modelMetadata(String model, String version) {
    requireModel(model);
    return new ModelMetadata(
        model,
        List.of("1", "2"),
        "onnxruntime_onnx",
        List.of(new TensorMetadata("INPUT0", DataType.FP32, new long[] {-1, 4})),
        List.of(
            new TensorMetadata("OUTPUT0", DataType.FP32, new long[] {-1, 4}),
            new TensorMetadata("LABEL", DataType.BYTES, new long[] {-1, 1})));
  }

  @Override
  public ModelConfig modelConfig(String model, String version) {
    requireModel(model);
    return ModelConfig.newBuilder()
        .setName(model)
        .setPlatform("onnxruntime_onnx")
        .setMaxBatchSize(8)
        .build();
  }

  @Override
  public ModelStatisticsResponse statistics(String model, String version) {
    if (!model.isEmpty()) {
      requireModel(model);
    }
    ModelStatisticsResponse.Builder out = ModelStatisticsResponse.newBuilder();
    for (String name : new TreeSet<>(modelsReady.keySet())) {
      if (model.isEmpty() || model.equals(name)) {
        out.addModelStats(ModelStatistics.newBuilder()
            .setName(name)
            .setVersion("1")
            .setInferenceCount(42)
            .setExecutionCount(7));
      }
    }
    return out.build();
  }

  @Override
  public CompletableFuture<V2InferResponse> infer(
      String model, String version, V2InferRequest request) {
    requireModel(model);
    inferCalls.add(new InferCall(model, version, request, System.nanoTime()));
    return inferBehaviour.infer(model, version, request);
  }

  @Override
  public List<IndexEntry> repositoryIndex(boolean readyOnly) {
    List<IndexEntry> out = new ArrayList<>();
    out.add(new IndexEntry(MODEL, "1", "READY", ""));
    if (!readyOnly) {
      out.add(new IndexEntry("broken", "", "UNAVAILABLE", "model.onnx is missing"));
    }
    return out;
  }

  @Override
  public CompletableFuture<Void> load(String model, Map<String, String> parameters) {
    loadCalls.add(new LoadCall(model, Map.copyOf(parameters)));
    return loadResult;
  }

  @Override
  public CompletableFuture<Void> unload(String model) {
    requireModel(model);
    unloadCalls.add(model);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public void recordError(String protocol, String code) {}
}
