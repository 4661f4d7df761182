package io.sluice.gateway.core;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.gateway.model.DataTypes;
import io.sluice.gateway.model.LoadedVersion;
import io.sluice.gateway.model.ModelManager;
import io.sluice.gateway.model.ModelRecord;
import io.sluice.gateway.model.VersionState;
import io.sluice.proto.inference.GrpcService.ModelStatisticsResponse;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelInput;
import io.sluice.proto.inference.ModelConfigProto.ModelOutput;
import io.sluice.runtime.InferenceRequest;
import io.sluice.runtime.InferenceResponse;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import io.sluice.runtime.Tensor;
import io.sluice.runtime.Ticker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's {@link ServingApi}: finds the version, validates the request against its config,
 * queues it, and shapes the result (requested outputs in the order asked, classification). Every
 * request that reached a version is counted there as a success or a failure.
 */
public final class DefaultServingApi implements ServingApi {

  /** The extensions Sluice really implements; perf_analyzer reads this list. */
  static final List<String> EXTENSIONS =
      List.of(
          "classification",
          "model_repository",
          "schedule_policy",
          "model_configuration",
          "binary_tensor_data",
          "statistics");

  private final ModelManager models;
  private final boolean strictReadiness;
  private final Ticker ticker;
  private final ServerInfo info;
  private final MeterRegistry registry;
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();

  public DefaultServingApi(
      ModelManager models,
      boolean strictReadiness,
      Ticker ticker,
      String serverVersion,
      MeterRegistry registry) {
    this.models = models;
    this.strictReadiness = strictReadiness;
    this.ticker = ticker;
    this.info = new ServerInfo("sluice", serverVersion, EXTENSIONS);
    this.registry = registry;
  }

  @Override
  public void recordError(String protocol, String code) {
    errors
        .computeIfAbsent(
            protocol + "/" + code,
            k ->
                Counter.builder("sluice_request_errors")
                    .description("Requests answered with an error, by protocol and status")
                    .tags("protocol", protocol, "code", code)
                    .register(registry))
        .increment();
  }

  @Override
  public ServerInfo serverInfo() {
    return info;
  }

  @Override
  public boolean isLive() {
    return true;
  }

  @Override
  public boolean isReady() {
    return strictReadiness ? models.allWantedReady() : true;
  }

  @Override
  public boolean isModelReady(String model, String version) {
    try {
      models.ready(model, version);
      return true;
    } catch (StatusException e) {
      if (e.status().code() == Status.Code.NOT_FOUND
          || e.status().code() == Status.Code.INVALID_ARGUMENT) {
        throw e;
      }
      return false;
    }
  }

  @Override
  public ModelMetadata modelMetadata(String model, String version) {
    LoadedVersion v = models.ready(model, version);
    List<String> versions = new ArrayList<>();
    if (version == null || version.isEmpty()) {
      for (VersionState s : models.record(model).versions().values()) {
        if (s.isReady()) {
          versions.add(Long.toString(s.version()));
        }
      }
    } else {
      versions.add(v.versionString());
    }
    ModelConfig c = v.config();
    boolean batched = c.getMaxBatchSize() > 0;
    List<TensorMetadata> inputs = new ArrayList<>();
    for (ModelInput in : c.getInputList()) {
      inputs.add(metadata(in.getName(), in.getDataType(), in.getDimsList(), batched));
    }
    List<TensorMetadata> outputs = new ArrayList<>();
    for (ModelOutput out : c.getOutputList()) {
      outputs.add(metadata(out.getName(), out.getDataType(), out.getDimsList(), batched));
    }
    String platform = c.getPlatform().isEmpty() ? c.getBackend() : c.getPlatform();
    return new ModelMetadata(model, versions, platform, inputs, outputs);
  }

  private static TensorMetadata metadata(
      String name,
      io.sluice.proto.inference.ModelConfigProto.DataType type,
      List<Long> dims,
      boolean batched) {
    long[] shape = new long[dims.size() + (batched ? 1 : 0)];
    int i = 0;
    if (batched) {
      shape[i++] = -1;
    }
    for (long d : dims) {
      shape[i++] = d;
    }
    return new TensorMetadata(name, DataTypes.fromConfig(type), shape);
  }

  @Override
  public ModelConfig modelConfig(String model, String version) {
    return models.ready(model, version).config();
  }

  @Override
  public ModelStatisticsResponse statistics(String model, String version) {
    ModelStatisticsResponse.Builder b = ModelStatisticsResponse.newBuilder();
    if (version != null && !version.isEmpty()) {
      return b.addModelStats(models.ready(model, version).stats().toProto()).build();
    }
    List<ModelRecord> records =
        model == null || model.isEmpty() ? models.records() : List.of(models.record(model));
    for (ModelRecord r : records) {
      for (VersionState v : r.versions().values()) {
        if (v.isReady()) {
          b.addModelStats(v.loaded().stats().toProto());
        }
      }
    }
    return b.build();
  }

  @Override
  public CompletableFuture<V2InferResponse> infer(
      String model, String version, V2InferRequest request) {
    long start = ticker.nanoTime();
    LoadedVersion v;
    try {
      v = models.ready(model, version);
    } catch (StatusException e) {
      return CompletableFuture.failedFuture(e);
    }
    Set<String> wanted;
    try {
      InputValidator.validate(v, request.inputs());
      wanted = requestedOutputs(v, request.outputs());
    } catch (StatusException e) {
      v.stats().recordFailure(ticker.nanoTime() - start, e.status().code());
      return CompletableFuture.failedFuture(e);
    }
    InferenceRequest work =
        new InferenceRequest(
            request.inputs(),
            wanted,
            request.priority(),
            request.timeoutMicros(),
            request.deadlineNanos(),
            request.cancelled());
    CompletableFuture<InferenceResponse> queued;
    try {
      queued = v.scheduler().enqueue(work);
    } catch (RuntimeException e) {
      queued = CompletableFuture.failedFuture(e);
    }
    return queued.handle(
        (result, error) -> {
          if (error != null) {
            Status s = Status.fromThrowable(error);
            v.stats().recordFailure(ticker.nanoTime() - start, s.code());
            throw s.asException();
          }
          V2InferResponse response;
          try {
            response = shape(v, request, result);
          } catch (RuntimeException e) {
            Status s = Status.fromThrowable(e);
            v.stats().recordFailure(ticker.nanoTime() - start, s.code());
            throw s.asException();
          }
          v.stats()
              .recordSuccess(
                  ticker.nanoTime() - start,
                  result.queueNanos(),
                  result.computeInputNanos(),
                  result.computeInferNanos(),
                  result.computeOutputNanos());
          return response;
        });
  }

  private static Set<String> requestedOutputs(LoadedVersion v, List<RequestedOutput> outputs) {
    Set<String> names = new LinkedHashSet<>();
    for (RequestedOutput o : outputs) {
      if (v.config().getOutputList().stream().noneMatch(c -> c.getName().equals(o.name()))) {
        throw Status.invalidArgument(
                "unexpected inference output '" + o.name() + "' for model '" + v.name()
                    + "' (expected: "
                    + v.config().getOutputList().stream().map(ModelOutput::getName).toList() + ")")
            .asException();
      }
      if (o.classificationCount() < 0) {
        throw Status.invalidArgument(
                "classification count " + o.classificationCount() + " of output '" + o.name()
                    + "' (expected: > 0)")
            .asException();
      }
      if (!names.add(o.name())) {
        throw Status.invalidArgument("output '" + o.name() + "' is requested more than once")
            .asException();
      }
    }
    return names;
  }

  private static V2InferResponse shape(
      LoadedVersion v, V2InferRequest request, InferenceResponse result) {
    Map<String, Tensor> byName = new HashMap<>();
    for (Tensor t : result.outputs()) {
      byName.put(t.name(), t);
    }
    List<Tensor> outputs = new ArrayList<>();
    List<Boolean> binary = new ArrayList<>();
    if (request.outputs().isEmpty()) {
      for (ModelOutput o : v.config().getOutputList()) {
        Optional.ofNullable(byName.get(o.getName())).ifPresent(outputs::add);
        binary.add(false);
      }
    } else {
      boolean batched = v.config().getMaxBatchSize() > 0;
      for (RequestedOutput o : request.outputs()) {
        Tensor t = byName.get(o.name());
        if (t == null) {
          throw Status.internal("the model did not produce output '" + o.name() + "'")
              .asException();
        }
        if (o.classificationCount() > 0) {
          t = Classification.topK(t, o.classificationCount(), batched, v.labels(o.name()));
        }
        outputs.add(t);
        binary.add(o.binaryData());
      }
    }
    return new V2InferResponse(v.name(), v.versionString(), request.id(), outputs, binary);
  }

  @Override
  public List<IndexEntry> repositoryIndex(boolean readyOnly) {
    List<IndexEntry> entries = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (ModelRecord r : models.records()) {
      seen.add(r.name());
      if (r.versions().isEmpty()) {
        entries.add(new IndexEntry(r.name(), "", VersionState.UNAVAILABLE, r.notReadyReason()));
        continue;
      }
      for (VersionState v : r.versions().values()) {
        entries.add(
            new IndexEntry(r.name(), Long.toString(v.version()), v.state(), v.reason()));
      }
    }
    for (String name : models.repositoryNames()) {
      if (!seen.contains(name)) {
        entries.add(new IndexEntry(name, "", VersionState.UNAVAILABLE, "not loaded"));
      }
    }
    entries.sort((a, b) -> a.name().compareTo(b.name()));
    if (readyOnly) {
      entries.removeIf(e -> !VersionState.READY.equals(e.state()));
    }
    return entries;
  }

  @Override
  public CompletableFuture<Void> load(String model, Map<String, String> parameters) {
    Optional<ModelConfig> override = Optional.empty();
    for (String key : parameters.keySet()) {
      if (key.startsWith("file:")) {
        return CompletableFuture.failedFuture(
            Status.unimplemented("loading model files through the load request ('" + key
                    + "') is not supported; place them in the model repository")
                .asException());
      }
    }
    String json = parameters.get("config");
    if (json != null && !json.isBlank()) {
      try {
        ModelConfig.Builder b = ModelConfig.newBuilder();
        JsonFormat.parser().merge(json, b);
        override = Optional.of(b.build());
      } catch (InvalidProtocolBufferException | RuntimeException e) {
        return CompletableFuture.failedFuture(
            Status.invalidArgument("invalid 'config' parameter: " + e.getMessage()).asException());
      }
    }
    return models.load(model, override);
  }

  @Override
  public CompletableFuture<Void> unload(String model) {
    return models.unload(model);
  }
}
