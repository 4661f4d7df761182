package io.sluice.gateway.model;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.registry.ModelRepository;
import io.sluice.registry.ModelSource;
import io.sluice.registry.RepositoryException;
import io.sluice.registry.VersionSource;
import io.sluice.runtime.Status;
import io.sluice.runtime.Ticker;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which models and versions are loaded, and in which state. Loads and unloads are queued on one
 * lifecycle thread, so they never interleave and never run on an event loop; the request path
 * reads immutable {@link ModelRecord} snapshots from a concurrent map without locking.
 *
 * <p>A reload publishes the new versions first and closes the old ones after, so a request that
 * already picked an old version finishes on it. A version that fails to reload keeps serving its
 * old instance (as Triton does). A model that fails to load is UNAVAILABLE with its reason; the
 * others serve on.
 */
public final class ModelManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ModelManager.class);

  private final ModelRepository repository;
  private final VersionLoader loader;
  private final ExecutorService lifecycle;
  private final Map<String, ModelRecord> models = new ConcurrentHashMap<>();
  // The repository's folder names as last listed on the lifecycle thread, so that the index
  // (answered on an event loop) never touches the disk.
  private volatile List<String> listed = List.of();

  /**
   * @param lifecycle a single-thread executor; loads and unloads run on it one at a time
   */
  public ModelManager(
      ModelRepository repository,
      LifecycleConfig config,
      BackendRegistry backends,
      MeterRegistry registry,
      Clock clock,
      Ticker ticker,
      ExecutorService lifecycle) {
    this.repository = repository;
    this.loader = new VersionLoader(backends, config, registry, clock, ticker);
    this.lifecycle = lifecycle;
  }

  /** Loads every model of the repository (Triton's explicit mode with everything loaded). */
  public CompletableFuture<Void> loadAll() {
    return CompletableFuture.runAsync(
        () -> {
          List<String> names;
          try {
            names = repository.modelNames();
          } catch (RepositoryException e) {
            throw Status.internal("cannot list the model repository: " + e.getMessage())
                .withCause(e)
                .asException();
          }
          listed = List.copyOf(names);
          for (String name : names) {
            loadNow(name, Optional.empty());
          }
        },
        lifecycle);
  }

  /**
   * Loads or reloads one model. The future fails with the first reason when any version failed
   * to load, even where the old copy of that version keeps serving; a model that never loaded is
   * then UNAVAILABLE in the index.
   */
  public CompletableFuture<Void> load(String name, Optional<ModelConfig> override) {
    return CompletableFuture.runAsync(
        () -> {
          relist();
          Status failure = loadNow(name, override);
          if (failure != null) {
            throw failure.asException();
          }
        },
        lifecycle);
  }

  /** Unloads every version of a model; it stays in the index as UNAVAILABLE. */
  public CompletableFuture<Void> unload(String name) {
    return CompletableFuture.runAsync(
        () -> {
          ModelRecord old = models.get(name);
          if (old == null) {
            if (!relist().contains(name)) {
              throw Status.notFound("unknown model: '" + name + "'").asException();
            }
            models.put(name, new ModelRecord(name, new TreeMap<>(), false, ""));
            return;
          }
          TreeMap<Long, VersionState> gone = new TreeMap<>();
          for (VersionState v : old.versions().values()) {
            gone.put(
                v.version(),
                new VersionState(v.version(), VersionState.UNAVAILABLE, "unloaded", null));
          }
          models.put(name, new ModelRecord(name, gone, false, ""));
          closeAll(old.versions().values());
          for (long version : old.versions().keySet()) {
            loader.forgetMeters(name, version);
          }
          log.info("unloaded model '{}'", name);
        },
        lifecycle);
  }

  /** Loads on the lifecycle thread; returns the first failure, or null when all loaded. */
  private Status loadNow(String name, Optional<ModelConfig> override) {
    ModelRecord old = models.get(name);
    ModelSource source;
    try {
      source = repository.resolve(name);
    } catch (RepositoryException e) {
      String problem =
          e.kind() == RepositoryException.Kind.NOT_FOUND
              ? "unknown model: '" + name + "'"
              : e.getMessage();
      Status failure =
          e.kind() == RepositoryException.Kind.NOT_FOUND
              ? Status.notFound(problem)
              : Status.invalidArgument("failed to load '" + name + "': " + problem);
      if (e.kind() == RepositoryException.Kind.NOT_FOUND && old == null) {
        return failure;
      }
      log.warn("model '{}' is unavailable: {}", name, problem);
      models.put(name, keepOldOr(old, ModelRecord.unavailable(name, problem)));
      return failure;
    }
    ModelConfig given = override.orElse(source.config().orElse(ModelConfig.getDefaultInstance()));
    TreeMap<Long, VersionState> next = new TreeMap<>();
    List<VersionState> replaced = new ArrayList<>();
    Status failure = null;
    for (VersionSource v : source.versions()) {
      VersionState previous = old == null ? null : old.versions().get(v.version());
      if (v.problem().isPresent()) {
        next.put(v.version(), keepOr(previous, v.version(), v.problem().get()));
        if (failure == null) {
          failure = loadFailure(name, v.version(), v.problem().get());
        }
        continue;
      }
      try {
        LoadedVersion loaded = loader.load(name, source.directory(), given, v);
        next.put(v.version(), new VersionState(v.version(), VersionState.READY, "", loaded));
        if (previous != null && previous.isReady()) {
          replaced.add(previous);
        }
        log.info("loaded model '{}' version {}", name, v.version());
      } catch (RuntimeException e) {
        String reason = Status.fromThrowable(e).description();
        log.warn("model '{}' version {} failed to load: {}", name, v.version(), reason);
        next.put(v.version(), keepOr(previous, v.version(), reason));
        if (failure == null) {
          failure = loadFailure(name, v.version(), reason);
        }
      }
    }
    String problem =
        source.versions().isEmpty() ? "no version folder to serve under " + source.directory() : "";
    if (!problem.isEmpty() && failure == null) {
      failure = Status.invalidArgument("failed to load '" + name + "': " + problem);
    }
    models.put(name, new ModelRecord(name, next, true, problem));
    List<Long> dropped = new ArrayList<>();
    if (old != null) {
      for (VersionState v : old.versions().values()) {
        if (!next.containsKey(v.version())) {
          dropped.add(v.version());
          if (v.isReady()) {
            replaced.add(v);
          }
        }
      }
    }
    // Publish first, close after: requests that already picked an old version finish on it.
    closeAll(replaced);
    for (long version : dropped) {
      loader.forgetMeters(name, version);
    }
    return failure;
  }

  private static Status loadFailure(String name, long version, String reason) {
    return Status.invalidArgument(
        "failed to load '" + name + "' version " + version + ": " + reason);
  }

  private static VersionState keepOr(VersionState previous, long version, String reason) {
    if (previous != null && previous.isReady()) {
      return previous;
    }
    return new VersionState(version, VersionState.UNAVAILABLE, reason, null);
  }

  private static ModelRecord keepOldOr(ModelRecord old, ModelRecord failed) {
    return old != null && old.latestReady().isPresent() ? old : failed;
  }

  private static void closeAll(Collection<VersionState> versions) {
    for (VersionState v : versions) {
      if (v.loaded() != null) {
        try {
          v.loaded().close();
        } catch (RuntimeException e) {
          log.warn("closing model '{}' version {} failed", v.loaded().name(), v.version(), e);
        }
      }
    }
  }

  /** The model's snapshot, or NOT_FOUND. */
  public ModelRecord record(String name) {
    ModelRecord r = models.get(name);
    if (r == null) {
      throw Status.notFound("unknown model: '" + name + "'").asException();
    }
    return r;
  }

  /**
   * The READY version to serve: {@code version} empty means the latest ready one.
   *
   * @throws io.sluice.runtime.StatusException NOT_FOUND for an unknown model or version,
   *     UNAVAILABLE for one that is not ready
   */
  public LoadedVersion ready(String name, String version) {
    ModelRecord r = record(name);
    if (version == null || version.isEmpty()) {
      return r.latestReady()
          .map(VersionState::loaded)
          .orElseThrow(
              () ->
                  Status.unavailable("model '" + name + "' is not ready: " + r.notReadyReason())
                      .asException());
    }
    VersionState v = r.versions().get(parseVersion(name, version));
    if (v == null) {
      throw Status.notFound("unknown version " + version + " of model '" + name + "'")
          .asException();
    }
    if (!v.isReady()) {
      throw Status.unavailable(
              "model '" + name + "' version " + version + " is not ready: " + v.reason())
          .asException();
    }
    return v.loaded();
  }

  static long parseVersion(String name, String version) {
    try {
      long v = Long.parseLong(version);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw Status.invalidArgument(
              "version '" + version + "' of model '" + name + "' (expected: a decimal number)")
          .asException();
    }
  }

  /** Every model known so far, sorted by name. */
  public List<ModelRecord> records() {
    return new TreeMap<>(models).values().stream().toList();
  }

  /**
   * The model names in the repository, loaded or not, as listed by the last load or unload (the
   * index is answered on an event loop, so it never lists the disk itself).
   */
  public List<String> repositoryNames() {
    return listed;
  }

  /** Lists the repository again, on the lifecycle thread; keeps the old list on failure. */
  private List<String> relist() {
    try {
      listed = List.copyOf(repository.modelNames());
    } catch (RepositoryException e) {
      log.warn("cannot list the model repository: {}", e.getMessage());
    }
    return listed;
  }

  /** Whether every model the operator wants loaded is READY (strict readiness). */
  public boolean allWantedReady() {
    return models.values().stream().filter(ModelRecord::wanted).allMatch(ModelRecord::isFullyReady);
  }

  /** Whether at least one model version is READY (non-strict readiness). */
  public boolean anyReady() {
    return models.values().stream().anyMatch(r -> r.latestReady().isPresent());
  }

  /** Unloads everything and stops the lifecycle thread. */
  @Override
  public void close() {
    CompletableFuture<Void> done =
        CompletableFuture.runAsync(
            () -> {
              for (ModelRecord r : models.values()) {
                closeAll(r.versions().values());
              }
              models.clear();
            },
            lifecycle);
    done.join();
    lifecycle.shutdown();
  }
}
