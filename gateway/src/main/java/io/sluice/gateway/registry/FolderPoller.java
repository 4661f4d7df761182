package io.sluice.gateway.registry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.gateway.model.ModelManager;
import io.sluice.registry.ModelRepository;
import io.sluice.registry.ModelSource;
import io.sluice.registry.RepositoryException;
import io.sluice.registry.VersionSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Triton's poll mode for the folder repository: every interval, each model's folder is
 * fingerprinted (its config and every file of the versions its policy selects: path, size,
 * modification time); a model whose fingerprint changed is loaded again, a new folder is loaded,
 * a removed one unloaded. The reload goes through the {@link ModelManager} like a load request,
 * so the new version is published before the old one drains and no request fails. One thread,
 * one change at a time; a folder caught half-copied is simply loaded again at the next change.
 *
 * <p>Freshness is exported in the MLflow follower's shape, with {@code source="folder"}: {@code
 * sluice_registry_stale_seconds{model}} is 0 while the model's folder was read at the last poll
 * and otherwise the seconds since it last was (a repository that cannot be listed makes every
 * model stale), {@code sluice_registry_poll_errors_total{model}} counts the polls that could not
 * read it, and {@code sluice_registry_poll_interval_seconds} lets an alert scale with the
 * interval. A model's series go when its folder does.
 */
public final class FolderPoller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FolderPoller.class);
  static final String SOURCE = "folder";

  private final ModelRepository folder;
  private final ModelManager manager;
  private final ScheduledExecutorService executor;
  private final Duration interval;
  private final Clock clock;
  private final MeterRegistry meters;
  // Touched only on the poll thread; the gauges read the volatile times.
  private final Map<String, Watched> watched = new HashMap<>();

  /** What the poller knows of one model folder. */
  private static final class Watched {
    Gauge stale;
    Counter errors;
    String fingerprint;
    volatile long lastSuccessMillis; // 0 until the folder was read once
    volatile long staleSinceMillis; // 0 while fresh
  }

  public FolderPoller(ModelRepository folder, ModelManager manager,
      ScheduledExecutorService executor, Duration interval, Clock clock, MeterRegistry meters) {
    this.folder = folder;
    this.manager = manager;
    this.executor = executor;
    this.interval = interval;
    this.clock = clock;
    this.meters = meters;
    Gauge.builder("sluice_registry_poll_interval_seconds", () -> interval.toMillis() / 1000.0)
        .description("Seconds between two polls of the model registry (before any jitter)")
        .tag("source", SOURCE)
        .register(meters);
  }

  /** Records what is loaded now, then polls every interval. */
  public void start() {
    executor.execute(() -> pollSafely(false));
    executor.scheduleWithFixedDelay(() -> pollSafely(true), interval.toMillis(),
        interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  // A scheduled task that throws is never run again: count the failure and poll on.
  private void pollSafely(boolean apply) {
    try {
      poll(apply);
    } catch (RuntimeException e) {
      log.error("poll failed; trying again in {}", interval, e);
      long now = clock.millis();
      for (Watched w : watched.values()) {
        failed(w, now);
      }
    }
  }

  /** One poll: apply every change since the last (tests call this directly). */
  public void poll(boolean apply) {
    long now = clock.millis();
    List<String> names;
    try {
      names = folder.modelNames();
    } catch (RepositoryException e) {
      log.warn("poll: cannot list the model repository: {}", e.getMessage());
      for (Watched w : watched.values()) {
        failed(w, now);
      }
      return;
    }
    Set<String> gone = new HashSet<>(watched.keySet());
    for (String name : names) {
      gone.remove(name);
      Watched w = watched.computeIfAbsent(name, this::watch);
      String fingerprint;
      try {
        fingerprint = fingerprint(folder.resolve(name));
        fresh(w, now);
      } catch (RepositoryException e) {
        fingerprint = "error: " + e.getMessage();
        failed(w, now);
      }
      String before = w.fingerprint;
      w.fingerprint = fingerprint;
      if (apply && !fingerprint.equals(before)) {
        log.info("poll: model '{}' {}; loading it", name, before == null ? "is new" : "changed");
        try {
          manager.load(name, Optional.empty()).join();
        } catch (CompletionException e) {
          log.warn("poll: model '{}': {}", name, e.getCause().getMessage());
        }
      }
    }
    for (String name : gone) {
      Watched w = watched.remove(name);
      meters.remove(w.stale);
      meters.remove(w.errors);
      if (apply) {
        log.info("poll: model '{}' was removed; unloading it", name);
        try {
          manager.unload(name).join();
        } catch (CompletionException e) {
          log.warn("poll: model '{}': {}", name, e.getCause().getMessage());
        }
      }
    }
  }

  private Watched watch(String name) {
    Watched w = new Watched();
    w.stale = Gauge.builder("sluice_registry_stale_seconds", w, this::staleSeconds)
        .description("Seconds since the registry last answered for this model, while it"
            + " does not; 0 when the last poll succeeded")
        .tag("model", name)
        .tag("source", SOURCE)
        .register(meters);
    w.errors = Counter.builder("sluice_registry_poll_errors")
        .description("Registry polls that got no usable answer")
        .tag("model", name)
        .tag("source", SOURCE)
        .register(meters);
    return w;
  }

  private static void fresh(Watched w, long now) {
    w.staleSinceMillis = 0;
    w.lastSuccessMillis = now;
  }

  private static void failed(Watched w, long now) {
    w.errors.increment();
    if (w.staleSinceMillis == 0) {
      w.staleSinceMillis = now;
    }
  }

  private double staleSeconds(Watched w) {
    if (w.staleSinceMillis == 0) {
      return 0;
    }
    long from = w.lastSuccessMillis == 0 ? w.staleSinceMillis : w.lastSuccessMillis;
    return (clock.millis() - from) / 1000.0;
  }

  private static String fingerprint(ModelSource source) {
    StringBuilder b = new StringBuilder();
    file(b, source.directory().resolve("config.pbtxt"));
    for (VersionSource v : source.versions()) {
      b.append('v').append(v.version()).append(v.problem().orElse("")).append(';');
      try (Stream<Path> walk = Files.walk(v.directory())) {
        walk.sorted().forEach(p -> file(b, p));
      } catch (IOException | UncheckedIOException e) {
        b.append("unreadable;");
      }
    }
    return b.toString();
  }

  private static void file(StringBuilder b, Path p) {
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS);
      b.append(p).append(' ').append(a.size()).append(' ')
          .append(a.lastModifiedTime().toMillis()).append(';');
    } catch (IOException e) {
      b.append(p).append(" -;");
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
