package io.sluice.gateway.registry;

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
 */
public final class FolderPoller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FolderPoller.class);

  private final ModelRepository folder;
  private final ModelManager manager;
  private final ScheduledExecutorService executor;
  private final Duration interval;
  private final Map<String, String> fingerprints = new HashMap<>();

  public FolderPoller(ModelRepository folder, ModelManager manager,
      ScheduledExecutorService executor, Duration interval) {
    this.folder = folder;
    this.manager = manager;
    this.executor = executor;
    this.interval = interval;
  }

  /** Records what is loaded now, then polls every interval. */
  public void start() {
    executor.execute(() -> poll(false));
    executor.scheduleWithFixedDelay(() -> poll(true), interval.toMillis(), interval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** One poll: apply every change since the last (tests call this directly). */
  public void poll(boolean apply) {
    List<String> names;
    try {
      names = folder.modelNames();
    } catch (RepositoryException e) {
      log.warn("poll: cannot list the model repository: {}", e.getMessage());
      return;
    }
    Set<String> gone = new HashSet<>(fingerprints.keySet());
    for (String name : names) {
      gone.remove(name);
      String now = fingerprint(name);
      String before = fingerprints.put(name, now);
      if (apply && !now.equals(before)) {
        log.info("poll: model '{}' {}; loading it", name, before == null ? "is new" : "changed");
        try {
          manager.load(name, Optional.empty()).join();
        } catch (CompletionException e) {
          log.warn("poll: model '{}': {}", name, e.getCause().getMessage());
        }
      }
    }
    for (String name : gone) {
      fingerprints.remove(name);
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

  private String fingerprint(String name) {
    ModelSource source;
    try {
      source = folder.resolve(name);
    } catch (RepositoryException e) {
      return "error: " + e.getMessage();
    }
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
