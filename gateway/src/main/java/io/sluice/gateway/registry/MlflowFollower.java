package io.sluice.gateway.registry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.gateway.model.ModelManager;
import io.sluice.gateway.model.ModelRecord;
import io.sluice.gateway.model.VersionEntry;
import io.sluice.gateway.model.VersionState;
import io.sluice.registry.ModelSource;
import io.sluice.registry.VersionSource;
import io.sluice.registry.mlflow.MlflowClient;
import io.sluice.registry.mlflow.MlflowException;
import io.sluice.registry.mlflow.ModelCache;
import io.sluice.registry.mlflow.ModelVersion;
import io.sluice.registry.mlflow.VersionFetcher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the served versions of MLflow registered models in step with their aliases. Polling is
 * the source of truth: every interval (with jitter) it reads each model's aliases in one call,
 * fetches and verifies any version it has not seen into the {@link ModelCache}, publishes the
 * new {@link ModelSource} to the {@link RegistryRepository} and asks the {@link ModelManager} to
 * apply it, which loads, warms up and publishes the new version before it drains the old one.
 *
 * <p>A champion move is applied in two steps so that a bad version can never leave the model
 * without one: first the new version is loaded beside the one serving (requests that name no
 * version go to the first READY of the two), and only once it is READY is the old one dropped,
 * which retires and closes it. A version that fails to fetch is tried again next poll; one whose
 * files or graph are bad (verify, load) is refused for good, shown FAILED in the repository index
 * with its reason, and counted; the version before it serves on. When the registry cannot be
 * reached the last good versions keep serving, readiness is untouched, and {@code
 * sluice_registry_stale_seconds} says for how long; the next successful poll recovers by itself.
 *
 * <p>Everything here runs on one thread (the executor given), one change at a time, so the
 * per-model state needs no lock; the lifecycle thread does the loading.
 */
public final class MlflowFollower implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MlflowFollower.class);
  // Versions no longer served that stay in the cache (and fetched), so that a rollback, the most
  // common move after a bad rollout, loads from disk at once.
  private static final int KEEP_RECENT = 2;
  static final String SOURCE = "mlflow";

  private final MlflowClient client;
  private final VersionFetcher fetcher;
  private final ModelCache cache;
  private final RegistryRepository repository;
  private final List<String> aliases;
  private final Duration interval;
  private final ScheduledExecutorService executor;
  private final Clock clock;
  private final DoubleSupplier random;
  private final MeterRegistry meters;
  private final Map<String, Followed> models = new LinkedHashMap<>();
  private volatile ModelManager manager;
  private volatile ChallengerListener onChallenger = ChallengerListener.NONE;
  private volatile boolean closed;

  /** Told on the follower's thread when the second alias moves to a new, READY version. */
  @FunctionalInterface
  public interface ChallengerListener {
    /**
     * @param serving the version requests naming none get now
     * @param challenger the version the alias names, loaded and READY
     */
    void moved(String model, long serving, long challenger);

    ChallengerListener NONE = (model, serving, challenger) -> { };
  }

  /** What the follower knows of one model; touched only on the follower's thread. */
  private static final class Followed {
    final String name;
    final Map<Long, VersionSource> fetched = new HashMap<>();
    final Map<Long, String> rejected = new HashMap<>();
    Map<String, Long> aliasVersions = Map.of();
    Long serving;
    // The challenger version last handed to the listener (or seen at start): one rollout each.
    Long challengerSeen;
    boolean started;
    String publishedKey = "";
    Set<Long> published = Set.of();
    final java.util.ArrayDeque<Long> recent = new java.util.ArrayDeque<>();
    volatile long lastSuccessMillis;
    volatile long staleSinceMillis; // 0 while fresh
    Counter errors;

    Followed(String name) {
      this.name = name;
    }
  }

  public MlflowFollower(
      MlflowClient client,
      ModelCache cache,
      RegistryRepository repository,
      List<String> aliases,
      Duration interval,
      ScheduledExecutorService executor,
      Clock clock,
      DoubleSupplier random,
      MeterRegistry meters) {
    this.client = client;
    this.cache = cache;
    this.fetcher = new VersionFetcher(client, cache);
    this.repository = repository;
    this.aliases = List.copyOf(aliases);
    this.interval = interval;
    this.executor = executor;
    this.clock = clock;
    this.random = random;
    this.meters = meters;
    for (String name : repository.modelNames()) {
      Followed f = new Followed(name);
      models.put(name, f);
      Gauge.builder("sluice_registry_stale_seconds", f, this::staleSeconds)
          .description("Seconds since the registry last answered for this model, while it"
              + " does not; 0 when the last poll succeeded")
          .tag("model", name)
          .tag("source", SOURCE)
          .register(meters);
      // Registered at 0, so that an increase() over the first error sees it.
      f.errors = Counter.builder("sluice_registry_poll_errors")
          .description("Registry polls that got no usable answer")
          .tag("model", name)
          .tag("source", SOURCE)
          .register(meters);
    }
    Gauge.builder("sluice_registry_poll_interval_seconds", () -> interval.toMillis() / 1000.0)
        .description("Seconds between two polls of the model registry (before any jitter)")
        .tag("source", SOURCE)
        .register(meters);
  }

  /** A repository over {@code names}, for the manager; publish into it with a follower. */
  public static RegistryRepository repository(List<String> names) {
    return new RegistryRepository(names);
  }

  /**
   * Fetches every model's versions once and publishes them, without loading (the manager's
   * {@code loadAll} does that next); then attaches {@code manager} and starts polling.
   */
  public void start(ModelManager manager, Runnable loadAll) {
    start(manager, loadAll, ChallengerListener.NONE);
  }

  /**
   * As {@link #start(ModelManager, Runnable)}, and tells {@code onChallenger} of every later
   * move of the second alias ({@code challenger}); the version it names at start is not a move.
   */
  public void start(ModelManager manager, Runnable loadAll, ChallengerListener onChallenger) {
    this.onChallenger = onChallenger;
    runOnExecutor(() -> {
      for (Followed f : models.values()) {
        poll(f, false);
      }
    });
    loadAll.run();
    this.manager = manager;
    runOnExecutor(() -> {
      // Versions the first load refused are known now.
      for (Followed f : models.values()) {
        afterLoad(f);
      }
    });
    scheduleNext();
  }

  /** Polls every model now (the webhook's trigger), after any poll in progress. */
  public void pollNow() {
    if (!closed) {
      executor.execute(this::pollAll);
    }
  }

  private void scheduleNext() {
    if (closed) {
      return;
    }
    long millis = (long) (interval.toMillis() * (0.9 + 0.2 * random.getAsDouble()));
    executor.schedule(() -> {
      pollAll();
      scheduleNext();
    }, millis, TimeUnit.MILLISECONDS);
  }

  private void pollAll() {
    for (Followed f : models.values()) {
      if (closed) {
        return;
      }
      try {
        poll(f, true);
      } catch (RuntimeException e) {
        // A bug must not end the polling: say so and go on with the next model.
        log.error("registry poll of model '{}' failed", f.name, e);
      }
    }
  }

  private void poll(Followed f, boolean load) {
    Map<String, String> all;
    try {
      all = client.aliases(f.name);
    } catch (MlflowException e) {
      stale(f, e.getMessage());
      return;
    }
    fresh(f);
    Map<String, Long> wanted = new LinkedHashMap<>();
    for (String alias : aliases) {
      String v = all.get(alias);
      if (v != null) {
        try {
          wanted.put(alias, Long.parseLong(v));
        } catch (NumberFormatException e) {
          log.warn("model '{}': alias {} names version '{}' (expected: a number)", f.name, alias, v);
        }
      }
    }
    if (!wanted.equals(f.aliasVersions)) {
      log.info("model '{}': aliases {}", f.name, wanted);
      f.aliasVersions = Map.copyOf(wanted);
    }
    for (long v : new TreeSet<>(wanted.values())) {
      if (!f.fetched.containsKey(v) && !f.rejected.containsKey(v)) {
        fetch(f, v);
      }
    }
    publish(f, load);
    if (load) {
      afterLoad(f);
    }
  }

  private void fetch(Followed f, long version) {
    try {
      ModelVersion mv = client.version(f.name, Long.toString(version));
      f.fetched.put(version, fetcher.fetch(mv));
    } catch (MlflowException e) {
      failure(f, version, "fetch", e.getMessage(), !e.retryable() && !e.notFound());
    } catch (VersionFetcher.FetchException e) {
      failure(f, version, e.step(), e.getMessage(), e.permanent());
    }
  }

  private void failure(Followed f, long version, String step, String reason, boolean permanent) {
    Counter.builder("sluice_registry_version_failures")
        .description("Registry versions that could not be fetched, verified or loaded, by step")
        .tags("model", f.name, "step", step)
        .register(meters)
        .increment();
    if (permanent) {
      f.rejected.put(version, step + ": " + reason);
      log.warn("model '{}' version {} refused at {}: {}", f.name, version, step, reason);
    } else {
      log.warn("model '{}' version {} not fetched ({}); trying again next poll", f.name, version,
          reason);
    }
  }

  /** The source the current state calls for; applied when it differs from the last one. */
  private void publish(Followed f, boolean load) {
    Long champion = f.aliasVersions.get(aliases.get(0));
    TreeMap<Long, VersionSource> versions = new TreeMap<>();
    for (long v : f.aliasVersions.values()) {
      VersionSource s = f.fetched.get(v);
      if (f.rejected.containsKey(v)) {
        versions.put(v, refused(f, v));
      } else if (s != null) {
        versions.put(v, s);
      }
    }
    // The version serving stays until its successor is READY.
    if (f.serving != null && !versions.containsKey(f.serving) && f.fetched.containsKey(f.serving)) {
      versions.put(f.serving, f.fetched.get(f.serving));
    }
    List<Long> serveOrder = new ArrayList<>();
    if (champion != null && versions.containsKey(champion)) {
      serveOrder.add(champion);
    }
    if (f.serving != null && !serveOrder.contains(f.serving) && versions.containsKey(f.serving)) {
      serveOrder.add(f.serving);
    }
    String key = versions.entrySet().stream()
        .map(e -> e.getKey() + (e.getValue().problem().isPresent() ? "!" : ""))
        .collect(Collectors.joining(",")) + " -> " + serveOrder;
    if (key.equals(f.publishedKey) || versions.isEmpty()) {
      if (versions.isEmpty()) {
        repository.notYet(f.name, "no alias of " + aliases + " names a version that could be"
            + " fetched");
      }
      return;
    }
    ModelSource source = new ModelSource(f.name, cache.root(), Optional.empty(),
        List.copyOf(versions.values()), serveOrder);
    repository.publish(source);
    f.publishedKey = key;
    log.info("model '{}': serving versions {}, unnamed requests to the first READY of {}",
        f.name, versions.keySet(), serveOrder);
    if (load && manager != null) {
      try {
        manager.load(f.name, Optional.empty()).join();
      } catch (CompletionException e) {
        // The reasons are in the record; afterLoad reads them.
      }
    }
    for (long gone : f.published) {
      if (!versions.containsKey(gone) && f.fetched.containsKey(gone)) {
        f.recent.remove(gone);
        f.recent.addFirst(gone);
      }
    }
    f.recent.removeIf(versions::containsKey);
    while (f.recent.size() > KEEP_RECENT) {
      f.recent.removeLast();
    }
    f.published = Set.copyOf(versions.keySet());
    Set<Long> keep = new TreeSet<>(versions.keySet());
    keep.addAll(f.recent);
    try {
      cache.prune(f.name, keep.stream().map(String::valueOf).collect(Collectors.toSet()));
    } catch (ModelCache.CacheException e) {
      log.warn("model '{}': {}", f.name, e.getMessage());
    }
    f.fetched.keySet().retainAll(keep);
  }

  /** Reads what the load did: refuses versions that failed, and retires a replaced champion. */
  private void afterLoad(Followed f) {
    ModelManager m = manager;
    if (m == null) {
      return;
    }
    ModelRecord record;
    try {
      record = m.record(f.name);
    } catch (RuntimeException e) {
      return; // never published
    }
    boolean changed = false;
    for (VersionEntry v : record.versions().values()) {
      if (v.state() == VersionState.FAILED && f.fetched.containsKey(v.version())
          && !f.rejected.containsKey(v.version())) {
        failure(f, v.version(), "load", v.reason(), true);
        changed = true;
      }
    }
    Long champion = f.aliasVersions.get(aliases.get(0));
    VersionEntry c = champion == null ? null : record.versions().get(champion);
    if (c != null && c.isReady() && !champion.equals(f.serving)) {
      log.info("model '{}': version {} ({}) is serving{}", f.name, champion, aliases.get(0),
          f.serving == null ? "" : ", retiring version " + f.serving);
      f.serving = champion;
      changed = true;
    } else if (f.serving == null && champion == null) {
      // No champion alias: requests naming no version go to the highest READY one.
      changed = false;
    }
    if (changed) {
      publish(f, true);
    }
    challenger(f, record);
  }

  /** Hands a moved challenger, once READY, to the listener; never the champion itself. */
  private void challenger(Followed f, ModelRecord record) {
    Long v = aliases.size() < 2 ? null : f.aliasVersions.get(aliases.get(1));
    if (!f.started) {
      f.started = true;
      f.challengerSeen = v;
      return;
    }
    if (v == null || v.equals(f.challengerSeen) || f.serving == null || v.equals(f.serving)) {
      return;
    }
    VersionEntry e = record.versions().get(v);
    if (e == null || !e.isReady()) {
      if (f.rejected.containsKey(v)) {
        f.challengerSeen = v; // refused for good: nothing to roll out
      }
      return; // still loading; the next poll looks again
    }
    f.challengerSeen = v;
    log.info("model '{}': {} moved to version {} (serving {})", f.name, aliases.get(1), v,
        f.serving);
    try {
      onChallenger.moved(f.name, f.serving, v);
    } catch (RuntimeException ex) {
      log.error("model '{}': the challenger listener failed", f.name, ex);
    }
  }

  private VersionSource refused(Followed f, long version) {
    java.nio.file.Path dir;
    try {
      dir = cache.versionDir(f.name, Long.toString(version));
    } catch (ModelCache.CacheException e) {
      dir = cache.root();
    }
    return new VersionSource(version, dir, dir, Optional.of(f.rejected.get(version)),
        Optional.empty(), Optional.empty(), true);
  }

  private void stale(Followed f, String reason) {
    f.errors.increment();
    repository.notYet(f.name, "the registry did not answer: " + reason);
    if (f.staleSinceMillis == 0) {
      f.staleSinceMillis = clock.millis();
      repository.note(f.name, "the registry is stale since "
          + Instant.ofEpochMilli(f.staleSinceMillis) + ": " + reason);
      log.warn("model '{}': the registry does not answer ({}); serving the last good versions"
          + " and retrying every poll", f.name, reason);
    }
  }

  private void fresh(Followed f) {
    if (f.staleSinceMillis != 0) {
      log.info("model '{}': the registry answers again after {}", f.name,
          Duration.ofMillis(clock.millis() - f.staleSinceMillis));
    }
    f.staleSinceMillis = 0;
    f.lastSuccessMillis = clock.millis();
    repository.note(f.name, null);
  }

  private double staleSeconds(Followed f) {
    long since = f.staleSinceMillis;
    if (since == 0) {
      return 0;
    }
    long from = f.lastSuccessMillis == 0 ? since : f.lastSuccessMillis;
    return (clock.millis() - from) / 1000.0;
  }

  /** When the registry last answered for {@code model}, empty if never. */
  public Optional<Instant> lastSuccess(String model) {
    Followed f = models.get(model);
    return f == null || f.lastSuccessMillis == 0 ? Optional.empty()
        : Optional.of(Instant.ofEpochMilli(f.lastSuccessMillis));
  }

  private void runOnExecutor(Runnable r) {
    try {
      executor.submit(r).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("registry follower failed", e.getCause());
    }
  }

  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
    try {
      executor.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The client, for code that writes back to the registry (a rollout's promotion). */
  public MlflowClient client() {
    return client;
  }

  /** The aliases followed, first is the one unnamed requests get. */
  public List<String> aliases() {
    return aliases;
  }

  Set<String> modelNames() {
    return models.keySet();
  }
}
