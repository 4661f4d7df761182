package io.sluice.gateway.model;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.gateway.request.RequestContext;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.registry.ModelRepository;
import io.sluice.registry.ModelSource;
import io.sluice.registry.RepositoryException;
import io.sluice.registry.VersionSource;
import io.sluice.runtime.Status;
import io.sluice.runtime.Ticker;
import java.time.Clock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which models and versions are loaded, and in which state. Loads and unloads are queued on one
 * lifecycle thread, so they never interleave and never run on an event loop; the request path
 * reads immutable {@link ModelRecord} snapshots from a concurrent map without locking.
 *
 * <p>Every version moves through {@link VersionState}'s machine, and only this class's lifecycle
 * thread moves it. A reload publishes the new versions first, then retires the old ones: a
 * retired version admits no new request ({@link LoadedVersion#tryAcquire}), the lifecycle waits
 * until the requests it admitted have released their leases (at most the drain timeout, whose
 * expiry is counted in {@code sluice_version_drain_timeouts_total}), and only then closes its
 * engine. A request that read the old snapshot a moment before the swap fails to acquire the
 * retired version and reads the snapshot again ({@link #acquire}), which by then names the new
 * one; so a swap fails no request. A version that fails to reload keeps serving its old instance
 * (as Triton does). A model that fails to load is UNAVAILABLE with its reason; the others serve
 * on.
 */
public final class ModelManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ModelManager.class);
  // Each failed attempt means a reload published a new snapshot in between; a few suffice.
  private static final int MAX_ACQUIRE_ATTEMPTS = 16;

  private final ModelRepository repository;
  private final VersionLoader loader;
  private final OverrideLimits overrideLimits;
  private final ExecutorService lifecycle;
  private final Duration drainTimeout;
  private final MeterRegistry registry;
  private final VersionStateMeters stateMeters;
  private final SelectorDecorator decorator;
  private final Map<String, ModelRecord> models = new ConcurrentHashMap<>();
  // The repository's folder names as last listed on the lifecycle thread, so that the index
  // (answered on an event loop) never touches the disk.
  private volatile List<String> listed = List.of();

  /**
   * @param lifecycle a single-thread executor; loads and unloads run on it one at a time
   * @param drainTimeout how long a retired version may take to finish the requests it admitted
   *     before its engine is closed anyway
   */
  public ModelManager(
      ModelRepository repository,
      LifecycleConfig config,
      BackendRegistry backends,
      MeterRegistry registry,
      Clock clock,
      Ticker ticker,
      ExecutorService lifecycle,
      Duration drainTimeout) {
    this(repository, config, backends, registry, clock, ticker, lifecycle, drainTimeout,
        SelectorDecorator.NONE);
  }

  /**
   * As above, with every published snapshot's selector wrapped by {@code decorator} (the
   * routing table).
   */
  public ModelManager(
      ModelRepository repository,
      LifecycleConfig config,
      BackendRegistry backends,
      MeterRegistry registry,
      Clock clock,
      Ticker ticker,
      ExecutorService lifecycle,
      Duration drainTimeout,
      SelectorDecorator decorator) {
    this.decorator = decorator;
    this.repository = repository;
    this.loader = new VersionLoader(backends, config, registry, clock, ticker);
    this.overrideLimits = config.overrideLimits();
    this.lifecycle = lifecycle;
    this.drainTimeout = drainTimeout;
    this.registry = registry;
    this.stateMeters = new VersionStateMeters(registry);
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
          stateMeters.update(models.values());
        },
        lifecycle);
  }

  /**
   * Loads or reloads one model. The future fails with the first reason when any version failed
   * to load, even where the old copy of that version keeps serving; a model that never loaded is
   * then UNAVAILABLE in the index. An {@code override} over its {@link OverrideLimits} fails the
   * future with INVALID_ARGUMENT at once, and nothing changes.
   */
  public CompletableFuture<Void> load(String name, Optional<ModelConfig> override) {
    try {
      override.ifPresent(config -> overrideLimits.check(name, config));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return CompletableFuture.runAsync(
        () -> {
          relist();
          Status failure = loadNow(name, override);
          stateMeters.update(models.values());
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
            publish(new ModelRecord(name, new TreeMap<>(), false, ""));
            return;
          }
          TreeMap<Long, VersionEntry> gone = new TreeMap<>();
          for (VersionEntry v : old.versions().values()) {
            gone.put(v.version(), VersionEntry.unloaded(v.version(), "unloaded"));
          }
          publish(new ModelRecord(name, gone, false, ""));
          retireAll(loadedOf(old.versions().values()));
          for (long version : old.versions().keySet()) {
            loader.forgetMeters(name, version);
          }
          stateMeters.update(models.values());
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
              : LoadReasons.clean(e.getMessage(), name, null);
      Status failure =
          e.kind() == RepositoryException.Kind.NOT_FOUND
              ? Status.notFound(problem)
              : Status.invalidArgument("failed to load '" + name + "': " + problem);
      if (e.kind() == RepositoryException.Kind.NOT_FOUND && old == null) {
        return failure;
      }
      log.warn("model '{}' is unavailable: {}", name, problem);
      publish(keepOldOr(old, ModelRecord.unavailable(name, problem)));
      return failure;
    }
    ModelConfig modelConfig =
        override.orElse(source.config().orElse(ModelConfig.getDefaultInstance()));
    // Versions with nothing serving show LOADING while they load; the others keep serving.
    TreeMap<Long, VersionEntry> next = new TreeMap<>();
    for (VersionSource v : source.versions()) {
      VersionEntry previous = old == null ? null : old.versions().get(v.version());
      next.put(v.version(), previous != null && previous.isReady()
          ? previous
          : VersionEntry.loading(v.version()));
    }
    if (!source.versions().isEmpty()) {
      // While the new versions load, a READY version that is leaving (its folder removed, or
      // no longer chosen by the policy) keeps answering: it goes at the publish below.
      TreeMap<Long, VersionEntry> loading = new TreeMap<>(next);
      if (old != null) {
        old.versions().forEach((v, e) -> {
          if (e.isReady()) {
            loading.putIfAbsent(v, e);
          }
        });
      }
      publish(new ModelRecord(name, loading, true, "", null, source.serveOrder()));
      stateMeters.update(models.values());
    }
    List<LoadedVersion> replaced = new ArrayList<>();
    Status failure = null;
    for (VersionSource v : source.versions()) {
      VersionEntry previous = old == null ? null : old.versions().get(v.version());
      if (v.problem().isPresent()) {
        String problem = LoadReasons.clean(v.problem().get(), name, source.directory());
        next.put(v.version(), keepOr(previous, v.version(), problem));
        if (failure == null) {
          failure = loadFailure(name, v.version(), problem);
        }
        continue;
      }
      if (v.immutable() && override.isEmpty() && previous != null && previous.isReady()) {
        continue; // a registry version's files never change: the copy serving stays
      }
      ModelConfig given = override.orElse(v.config().orElse(modelConfig));
      try {
        // A registry version carrying its own config.pbtxt is its own model folder.
        Path modelDir = v.config().isPresent() ? v.directory() : source.directory();
        LoadedVersion loaded = loader.load(name, modelDir, given, v);
        loaded.markReady();
        next.put(v.version(), VersionEntry.ready(loaded));
        if (previous != null && previous.isReady()) {
          replaced.add(previous.loaded());
        }
        log.info("loaded model '{}' version {}", name, v.version());
      } catch (RuntimeException | AssertionError | StackOverflowError e) {
        // An error too: a load that escaped here would leave the version LOADING for good.
        Status status = Status.fromThrowable(e);
        String reason;
        if (status.isUnexpected()) {
          // Not a reason any layer gave: a fault, logged once with its trace; the index says so.
          reason = "internal error while loading (the server log has the details)";
          log.warn("model '{}' version {} failed to load", name, v.version(), e);
        } else if (status.code() == Status.Code.INTERNAL && status.cause() != null) {
          reason = LoadReasons.clean(status.description(), name, source.directory());
          log.warn("model '{}' version {} failed to load: {}", name, v.version(), reason,
              status.cause());
        } else {
          reason = LoadReasons.clean(status.description(), name, source.directory());
          log.warn("model '{}' version {} failed to load: {}", name, v.version(), reason);
        }
        next.put(v.version(), keepOr(previous, v.version(), reason));
        if (failure == null) {
          failure = loadFailure(name, v.version(), reason);
        }
      }
    }
    String problem =
        source.versions().isEmpty()
            ? "no version folder to serve under " + name + " (expected: a folder named by a"
                + " version number, e.g. " + name + "/1)"
            : "";
    if (!problem.isEmpty() && failure == null) {
      failure = Status.invalidArgument("failed to load '" + name + "': " + problem);
    }
    publish(new ModelRecord(name, next, true, problem, null, source.serveOrder()));
    List<Long> dropped = new ArrayList<>();
    if (old != null) {
      for (VersionEntry v : old.versions().values()) {
        if (!next.containsKey(v.version())) {
          dropped.add(v.version());
          if (v.isReady()) {
            replaced.add(v.loaded());
          }
        }
      }
    }
    // Publish first, retire after: requests admitted by an old version finish on it.
    retireAll(replaced);
    for (long version : dropped) {
      loader.forgetMeters(name, version);
    }
    return failure;
  }

  /**
   * Puts a snapshot in force with its selector wrapped by the decorator. A snapshot kept from
   * before (a failed reload) is already wrapped and goes back as it is.
   */
  private void publish(ModelRecord r) {
    if (models.get(r.name()) == r) {
      return;
    }
    VersionSelector s = decorator.decorate(r.name(), r.versions(), r.selector());
    models.put(r.name(), s == r.selector() ? r
        : new ModelRecord(r.name(), r.versions(), r.wanted(), r.problem(), s, r.serveOrder()));
  }

  private static Status loadFailure(String name, long version, String reason) {
    return Status.invalidArgument(
        "failed to load '" + name + "' version " + version + ": " + reason);
  }

  private static VersionEntry keepOr(VersionEntry previous, long version, String reason) {
    if (previous != null && previous.isReady()) {
      return previous;
    }
    return VersionEntry.failed(version, reason);
  }

  private static ModelRecord keepOldOr(ModelRecord old, ModelRecord failed) {
    return old != null && old.latestReady().isPresent() ? old : failed;
  }

  private static List<LoadedVersion> loadedOf(Collection<VersionEntry> entries) {
    List<LoadedVersion> out = new ArrayList<>();
    for (VersionEntry v : entries) {
      if (v.loaded() != null) {
        out.add(v.loaded());
      }
    }
    return out;
  }

  /**
   * Retires every version first (so all drain at once), then waits for each to drain, up to the
   * drain timeout counted from the start, and closes it. On the lifecycle thread.
   */
  private void retireAll(List<LoadedVersion> versions) {
    List<CompletableFuture<Void>> drained = new ArrayList<>();
    for (LoadedVersion v : versions) {
      drained.add(v.retire());
    }
    long deadline = System.nanoTime() + drainTimeout.toNanos();
    for (int i = 0; i < versions.size(); i++) {
      LoadedVersion v = versions.get(i);
      try {
        drained.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        registry
            .counter("sluice_version_drain_timeouts", "model", v.name(), "version",
                v.versionString())
            .increment();
        log.warn("model '{}' version {} still had {} requests in flight after the drain timeout"
            + " of {}; closing it", v.name(), v.version(), v.inFlight(), drainTimeout);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException e) {
        throw new IllegalStateException("a drain future cannot fail", e);
      }
      try {
        v.close();
      } catch (RuntimeException e) {
        log.warn("closing model '{}' version {} failed", v.name(), v.version(), e);
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
   * The READY version to serve, without a lease (metadata, config, statistics): {@code version}
   * empty means the latest ready one.
   *
   * @throws io.sluice.runtime.StatusException NOT_FOUND for an unknown model or version,
   *     UNAVAILABLE for one that is not ready
   */
  public LoadedVersion ready(String name, String version) {
    return record(name).selector().select(version, RequestContext.QUERY).primary();
  }

  /**
   * Selects the version(s) for one inference request and leases the primary: the caller must
   * {@link LoadedVersion#release} it exactly once, when the request is done. A version retired
   * between reading the snapshot and acquiring it is skipped by reading the snapshot again,
   * which already names its successor.
   *
   * @throws io.sluice.runtime.StatusException as {@link #ready}
   */
  public Selection acquire(String name, String version, RequestContext context) {
    for (int attempt = 0; attempt < MAX_ACQUIRE_ATTEMPTS; attempt++) {
      Selection s = record(name).selector().select(version, context);
      if (s.primary().tryAcquire()) {
        return s;
      }
    }
    throw Status.unavailable(
            "model '" + name + "' is being swapped faster than a request can start; retry")
        .asException();
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

  /** The repository's note on a model (a stale registry), from memory; for the index. */
  public Optional<String> repositoryNote(String name) {
    return repository.note(name);
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
              List<LoadedVersion> all = new ArrayList<>();
              for (ModelRecord r : models.values()) {
                all.addAll(loadedOf(r.versions().values()));
              }
              retireAll(all);
              models.clear();
            },
            lifecycle);
    done.join();
    lifecycle.shutdown();
  }
}
