package io.sluice.gateway.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls a few files on an injected scheduler and runs a callback when any of them changed: its
 * modification time, size or file key (inode) differ from the last poll, or it appeared or went
 * away. Polling rather than a {@code WatchService} because the usual ways of replacing a
 * certificate (an editor, {@code mv} over it, a Kubernetes secret's symlink swap) all show up in
 * these attributes, on every file system, without a thread per folder.
 *
 * <p>The callback runs on the scheduler's thread, never on an event loop; an exception it throws
 * is logged and polling goes on.
 */
final class FileWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FileWatcher.class);

  private final List<Path> files;
  private final Runnable onChange;
  private final ScheduledFuture<?> task;
  /** Only the scheduler's thread reads and writes it after the constructor. */
  private List<Stamp> seen;

  /** What a poll sees of one file; {@code null} fields when it cannot be read. */
  private record Stamp(FileTime modified, long size, Object fileKey) {}

  private FileWatcher(
      List<Path> files, Duration period, ScheduledExecutorService scheduler, Runnable onChange) {
    this.files = List.copyOf(files);
    this.onChange = onChange;
    this.seen = stamps(this.files);
    long millis = Math.max(1, period.toMillis());
    this.task =
        scheduler.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Starts polling {@code files} every {@code period}; the state they have now is the baseline. */
  static FileWatcher start(
      List<Path> files, Duration period, ScheduledExecutorService scheduler, Runnable onChange) {
    return new FileWatcher(files, period, scheduler, onChange);
  }

  private void poll() {
    List<Stamp> now = stamps(files);
    if (now.equals(seen)) {
      return;
    }
    seen = now;
    try {
      onChange.run();
    } catch (RuntimeException e) {
      log.warn("reloading {} failed", files, e);
    }
  }

  private static List<Stamp> stamps(List<Path> files) {
    List<Stamp> out = new ArrayList<>(files.size());
    for (Path f : files) {
      try {
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        out.add(new Stamp(a.lastModifiedTime(), a.size(), a.fileKey()));
      } catch (IOException e) {
        out.add(new Stamp(null, -1, null));
      }
    }
    return out;
  }

  @Override
  public void close() {
    task.cancel(false);
  }
}
