package io.sluice.gateway.routing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Traffic policies on disk ({@code --traffic-state-dir}): one file per model, {@code
 * <model>.json} (the name URL-encoded), holding the policy in the very JSON a {@code PUT
 * /v2/models/{m}/traffic} takes, so an operator can read it, or put it back by hand. A write goes
 * to a temporary file in the same folder, is forced to the disk and then moved over the old one
 * atomically, so a crash leaves the old policy or the new one, never half of either.
 *
 * <p>Blocking file I/O: {@link TrafficTable} calls it on its own writer thread, never on an event
 * loop or the request path. A write that fails is logged and counted ({@code
 * sluice_traffic_state_write_failures_total}); the policy stays in force in memory.
 */
final class PolicyStore {
  private static final Logger log = LoggerFactory.getLogger(PolicyStore.class);
  private static final JsonFactory JSON = new JsonFactory();
  private static final String SUFFIX = ".json";

  private final Path dir;
  private final Counter failures;

  private PolicyStore(Path dir, Counter failures) {
    this.dir = dir;
    this.failures = failures;
  }

  /**
   * Creates {@code dir} when missing.
   *
   * @throws UncheckedIOException when it cannot be created or is no writable folder
   */
  static PolicyStore open(Path dir, MeterRegistry meters) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("--traffic-state-dir " + dir + ": cannot create it: "
          + e.getMessage(), e);
    }
    if (!Files.isWritable(dir)) {
      throw new UncheckedIOException(new IOException(
          "--traffic-state-dir " + dir + " is not writable (expected: a folder this server owns)"));
    }
    return new PolicyStore(dir, Counter.builder("sluice_traffic_state_write_failures")
        .description("Traffic policy writes to --traffic-state-dir that failed (kept in memory)")
        .register(meters));
  }

  /** Writes {@code policy} as the model's saved policy; null deletes it. */
  void save(String model, TrafficPolicy policy) {
    Path file = file(model);
    try {
      if (policy == null) {
        Files.deleteIfExists(file);
        return;
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
      try (JsonGenerator g = JSON.createGenerator(bytes).useDefaultPrettyPrinter()) {
        PolicyJson.write(policy, g);
      }
      bytes.write('\n');
      Path tmp = dir.resolve(file.getFileName() + ".tmp");
      try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer b = ByteBuffer.wrap(bytes.toByteArray());
        while (b.hasRemaining()) {
          out.write(b);
        }
        // On the disk before the move makes it the policy: a crash must not leave an empty file.
        out.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      failures.increment();
      log.error("cannot save the traffic policy of model '{}' to {}: {} (it stays in force"
          + " until a restart)", model, file, e.toString());
    }
  }

  /** Every saved policy's bytes by model name, in name order; unreadable files are logged. */
  Map<String, byte[]> loadAll() {
    Map<String, byte[]> out = new TreeMap<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        String model = URLDecoder.decode(name.substring(0, name.length() - SUFFIX.length()),
            StandardCharsets.UTF_8);
        try {
          out.put(model, Files.readAllBytes(f));
        } catch (IOException e) {
          log.error("cannot read the saved traffic policy {}: {}", f, e.toString());
        }
      }
    } catch (IOException e) {
      log.error("cannot list --traffic-state-dir {}: {}", dir, e.toString());
    }
    return out;
  }

  /** The model's file; the name is URL-encoded, so any model name is one plain file name. */
  Path file(String model) {
    return dir.resolve(URLEncoder.encode(model, StandardCharsets.UTF_8) + SUFFIX);
  }
}
