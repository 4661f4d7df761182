package io.sluice.gateway.core;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import io.sluice.gateway.model.DataTypes;
import io.sluice.gateway.model.LoadedVersion;
import io.sluice.gateway.model.ModelManager;
import io.sluice.gateway.model.ModelRecord;
import io.sluice.gateway.model.VersionEntry;
import io.sluice.proto.inference.GrpcService.ModelStatisticsResponse;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelInput;
import io.sluice.proto.inference.ModelConfigProto.ModelOutput;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import java.util.ArrayList;
import java.util.List;

/** Health, metadata, config and statistics, read from the published model snapshots. */
final class DefaultModelQueries implements ModelQueries {
  private final ModelManager models;
  private final boolean strictReadiness;
  private final ServerInfo info;
  private final DrainGate gate;
  /**
   * One per loaded version, gone with it: weak keys compare by identity, so a new version (a
   * reload, a swap) is a new entry and a retired one is collected, never stale.
   */
  private final Cache<LoadedVersion, PredictSignature> predict =
      CacheBuilder.newBuilder().weakKeys().build();

  DefaultModelQueries(
      ModelManager models, boolean strictReadiness, ServerInfo info, DrainGate gate) {
    this.models = models;
    this.strictReadiness = strictReadiness;
    this.info = info;
    this.gate = gate;
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
    if (gate.isDraining()) {
      return false;
    }
    return strictReadiness ? models.allWantedReady() : true;
  }

  @Override
  public boolean isDraining() {
    return gate.isDraining();
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
      for (VersionEntry s : models.record(model).versions().values()) {
        if (s.isReady()) {
          versions.add(Long.toString(s.version()));
        }
      }
    } else {
      versions.add(v.versionString());
    }
    return metadata(model, versions, v.config());
  }

  @Override
  public PredictSignature predictSignature(String model, String version) {
    LoadedVersion v = models.ready(model, version);
    PredictSignature s = predict.getIfPresent(v);
    if (s == null) {
      s = PredictSignature.of(metadata(model, List.of(v.versionString()), v.config()),
          v.config());
      predict.put(v, s);
    }
    return s;
  }

  private static ModelMetadata metadata(String model, List<String> versions, ModelConfig c) {
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
      for (VersionEntry v : r.versions().values()) {
        if (v.isReady()) {
          b.addModelStats(v.loaded().stats().toProto());
        }
      }
    }
    return b.build();
  }
}
