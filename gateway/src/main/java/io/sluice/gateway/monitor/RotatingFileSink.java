package io.sluice.gateway.monitor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON-lines sink: {@code predictions.jsonl} in its folder, rotated to {@code
 * predictions.jsonl.1} … when the next line would pass its size. After a write error it logs once
 * and counts every later record as dropped ({@code reason="file_error"}).
 */
final class RotatingFileSink implements PredictionSink {
  static final String FILE = "predictions.jsonl";
  private static final Logger log = LoggerFactory.getLogger(RotatingFileSink.class);

  private final Path dir;
  private final Path current;
  private final long maxBytes;
  private final int keepFiles;
  private final Counter written;
  private final Counter failed;
  private OutputStream file;
  private long size;

  /** Creates the folder and opens (appends to) the current file, so a bad path fails the start. */
  RotatingFileSink(Path dir, long maxBytes, int keepFiles, MeterRegistry meters)
      throws IOException {
    this.dir = Files.createDirectories(dir);
    this.current = dir.resolve(FILE);
    this.maxBytes = maxBytes;
    this.keepFiles = keepFiles;
    this.written = PredictionLog.written(meters, "file");
    this.failed = PredictionLog.dropped(meters, "file_error");
    this.file = open(current);
    this.size = Files.size(current);
  }

  @Override
  public void write(String key, String json) {
    byte[] line = (json + "\n").getBytes(StandardCharsets.UTF_8);
    write(key, line, 0, line.length);
  }

  @Override
  public void write(String key, byte[] bytes, int offset, int length) {
    if (file == null) {
      failed.increment();
      return;
    }
    try {
      if (size > 0 && size + length > maxBytes) {
        file.close();
        file = null;
        rotate();
        file = open(current);
        size = 0;
      }
      file.write(bytes, offset, length);
      size += length;
      written.increment();
    } catch (IOException e) {
      log.warn("prediction log {}: {}; no more records are written to it", dir, e.toString());
      failed.increment();
      closeQuietly();
    }
  }

  @Override
  public void flush() {
    if (file != null) {
      try {
        file.flush();
      } catch (IOException e) {
        log.warn("prediction log {}: {}; no more records are written to it", dir, e.toString());
        closeQuietly();
      }
    }
  }

  @Override
  public void close() {
    flush();
    closeQuietly();
  }

  private void closeQuietly() {
    if (file != null) {
      try {
        file.close();
      } catch (IOException e) {
        log.debug("closing the prediction log: {}", e.toString());
      }
      file = null;
    }
  }

  private static OutputStream open(Path p) throws IOException {
    return new BufferedOutputStream(Files.newOutputStream(p, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND), 64 * 1024);
  }

  /** predictions.jsonl → .1 → .2 …; the oldest past {@code keepFiles} goes. */
  private void rotate() throws IOException {
    Files.deleteIfExists(dir.resolve(FILE + "." + keepFiles));
    for (int i = keepFiles - 1; i >= 1; i--) {
      Path from = dir.resolve(FILE + "." + i);
      if (Files.exists(from)) {
        Files.move(from, dir.resolve(FILE + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    if (keepFiles >= 1) {
      Files.move(current, dir.resolve(FILE + ".1"), StandardCopyOption.REPLACE_EXISTING);
    } else {
      Files.delete(current);
    }
  }
}
