package io.sluice.gateway.core;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.sluice.gateway.model.ModelManager;
import io.sluice.gateway.model.ModelRecord;
import io.sluice.gateway.model.VersionEntry;
import io.sluice.gateway.model.VersionState;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.runtime.SafeText;
import io.sluice.runtime.Status;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The repository index, load and unload, over the {@link ModelManager}'s lifecycle thread. The
 * {@link ModelControlMode} decides whether load and unload are accepted: where they are not, the
 * answer is Triton's (UNAVAILABLE, its message) and nothing reaches the manager.
 */
final class DefaultRepositoryControl implements RepositoryControl {
  private static final String UNAVAILABLE = VersionState.UNLOADED.indexName();

  private final ModelManager models;
  private final ModelControlMode mode;

  DefaultRepositoryControl(ModelManager models, ModelControlMode mode) {
    this.models = models;
    this.mode = mode;
  }

  @Override
  public List<IndexEntry> repositoryIndex(boolean readyOnly) {
    List<IndexEntry> entries = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (ModelRecord r : models.records()) {
      seen.add(r.name());
      if (r.versions().isEmpty()) {
        entries.add(new IndexEntry(r.name(), "", UNAVAILABLE, r.notReadyReason()));
        continue;
      }
      // A READY version has no reason of its own; a stale registry is said there.
      String note = models.repositoryNote(r.name()).orElse("");
      for (VersionEntry v : r.versions().values()) {
        entries.add(new IndexEntry(r.name(), Long.toString(v.version()),
            v.state().indexName(), v.reason().isEmpty() ? note : v.reason()));
      }
    }
    for (String name : models.repositoryNames()) {
      if (!seen.contains(name)) {
        entries.add(new IndexEntry(name, "", UNAVAILABLE, "not loaded"));
      }
    }
    entries.sort((a, b) -> a.name().compareTo(b.name()));
    if (readyOnly) {
      entries.removeIf(e -> !VersionState.READY.indexName().equals(e.state()));
    }
    return entries;
  }

  @Override
  public CompletableFuture<Void> load(String model, Map<String, String> parameters) {
    if (!mode.allowsRepositoryApi()) {
      return refused();
    }
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
            Status.invalidArgument("invalid 'config' parameter: "
                    + SafeText.message(e, "not a JSON ModelConfig")).asException());
      }
    }
    return models.load(model, override);
  }

  @Override
  public CompletableFuture<Void> unload(String model) {
    if (!mode.allowsRepositoryApi()) {
      return refused();
    }
    return models.unload(model);
  }

  private CompletableFuture<Void> refused() {
    // Triton's sentence first: tritonclient users and scripts match on it.
    return CompletableFuture.failedFuture(
        Status.unavailable(ModelControlMode.REFUSAL + " (model-control-mode " + mode.flagValue()
                + "; expected: --model-control-mode explicit)").asException());
  }
}
