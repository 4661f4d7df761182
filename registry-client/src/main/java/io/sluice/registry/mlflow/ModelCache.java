package io.sluice.registry.mlflow;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registry versions on local disk, one folder per model and version: {@code
 * <root>/<model>/<version>/} holds the artifacts as the registry laid them out, and {@code
 * <root>/<model>/<version>.manifest} lists each file's size and SHA-256 and the URI it came from.
 *
 * <p>A version is downloaded into a temporary folder beside its final place, each file checked
 * against the size the listing gave, then renamed into place in one move, and the manifest after
 * it: a folder without its manifest is a download that did not finish and is removed. A restart
 * reuses a folder whose manifest matches the URI and whose files still hash as recorded. Artifact
 * paths are confined to the version's folder: no empty, {@code .} or {@code ..} segment, no
 * absolute path or backslash, and a cached folder holding a symbolic link is never reused. Only
 * the registry poller writes here.
 */
public final class ModelCache {
  private static final Logger log = LoggerFactory.getLogger(ModelCache.class);
  private static final String MANIFEST = ".manifest";
  private static final String TEMP = ".tmp-";

  private final Path root;

  public ModelCache(Path root) throws IOException {
    this.root = requireNonNull(root, "root").toAbsolutePath().normalize();
    Files.createDirectories(this.root);
  }

  public Path root() {
    return root;
  }

  /** Fetches one file of the version into {@code target}; returns the bytes written. */
  @FunctionalInterface
  public interface Downloader {
    long download(ArtifactFile file, Path target) throws MlflowException;
  }

  /** A version's folder in the cache; it exists once {@link #store} or {@link #reuse} said so. */
  public Path versionDir(String model, String version) throws CacheException {
    return modelDir(model).resolve(checkName("version", version));
  }

  /**
   * The cached folder when a complete copy from {@code uri} is there and intact; a damaged or
   * unfinished one is removed.
   */
  public Optional<Path> reuse(String model, String version, String uri) throws CacheException {
    Path dir = versionDir(model, version);
    Path manifest = dir.resolveSibling(version + MANIFEST);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || !Files.isRegularFile(manifest)) {
      deleteQuietly(dir);
      deleteQuietly(manifest);
      return Optional.empty();
    }
    try {
      List<String> lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
      if (lines.isEmpty() || !lines.get(0).equals("uri " + uri)) {
        log.info("cache {}/{}: registered from another URI; fetching again", model, version);
      } else if (intact(dir, lines.subList(1, lines.size()))) {
        return Optional.of(dir);
      } else {
        log.warn("cache {}/{}: files differ from the manifest; fetching again", model, version);
      }
    } catch (IOException e) {
      log.warn("cache {}/{}: unreadable ({}); fetching again", model, version, e.toString());
    }
    deleteQuietly(dir);
    deleteQuietly(manifest);
    return Optional.empty();
  }

  /**
   * Downloads {@code files} into a fresh folder, checks every size, and moves it into place.
   *
   * @throws CacheException for a path that would leave the folder, or a file whose size is not
   *     the listed one (a truncated transfer)
   * @throws MlflowException when a download fails
   */
  public Path store(String model, String version, String uri, List<ArtifactFile> files,
      Downloader downloader) throws CacheException, MlflowException {
    Path dir = versionDir(model, version);
    Path temp = dir.resolveSibling(TEMP + version + "-" + UUID.randomUUID());
    StringBuilder manifest = new StringBuilder("uri ").append(uri).append('\n');
    try {
      Files.createDirectories(temp);
      for (ArtifactFile f : files) {
        Path target = contained(temp, f.path());
        Files.createDirectories(target.getParent());
        long written = downloader.download(f, target);
        long size = Files.size(target);
        if (written != size || (f.size() >= 0 && size != f.size())) {
          throw new CacheException(model + " version " + version + ": " + f.path() + " is "
              + size + " bytes (expected: " + f.size() + " as listed; a truncated download)");
        }
        manifest.append(sha256(target)).append(' ').append(size).append(' ')
            .append(f.path()).append('\n');
      }
      Path tempManifest = temp.resolveSibling(temp.getFileName() + MANIFEST);
      Files.writeString(tempManifest, manifest, StandardCharsets.UTF_8);
      deleteQuietly(dir);
      Files.move(temp, dir, StandardCopyOption.ATOMIC_MOVE);
      Files.move(tempManifest, dir.resolveSibling(version + MANIFEST),
          StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return dir;
    } catch (IOException e) {
      throw new CacheException("cannot write " + model + " version " + version + " to " + root
          + ": " + e, e);
    } finally {
      deleteQuietly(temp);
      deleteQuietly(temp.resolveSibling(temp.getFileName() + MANIFEST));
    }
  }

  /** Removes every cached version of {@code model} not in {@code keep}, and stale downloads. */
  public void prune(String model, Set<String> keep) throws CacheException {
    Path dir = modelDir(model);
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path e : entries) {
        String name = e.getFileName().toString();
        String version = name.endsWith(MANIFEST)
            ? name.substring(0, name.length() - MANIFEST.length()) : name;
        if (name.startsWith(TEMP) || !keep.contains(version)) {
          deleteQuietly(e);
          if (!name.endsWith(MANIFEST) && !name.startsWith(TEMP)) {
            log.info("cache: pruned {} version {}", model, version);
          }
        }
      }
    } catch (IOException e) {
      throw new CacheException("cannot prune " + dir + ": " + e, e);
    }
  }

  /**
   * {@code relative} resolved under {@code dir}, or a CacheException when it could leave it.
   * Public so the reader of {@code MLmodel} confines the flavor's file name the same way.
   */
  public static Path contained(Path dir, String relative) throws CacheException {
    if (relative.isEmpty() || relative.startsWith("/") || relative.indexOf('\\') >= 0
        || relative.indexOf(':') >= 0) {
      throw new CacheException("artifact path '" + relative
          + "' (expected: a relative path with '/' separators)");
    }
    for (String segment : relative.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")
          || segment.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw new CacheException("artifact path '" + relative
            + "' (expected: no empty, '.' or '..' segment and no control character)");
      }
    }
    Path p = dir.resolve(relative).normalize();
    if (!p.startsWith(dir) || p.equals(dir)) {
      throw new CacheException("artifact path '" + relative + "' leaves " + dir);
    }
    return p;
  }

  private Path modelDir(String model) throws CacheException {
    return root.resolve(checkName("model", model));
  }

  private static String checkName(String what, String name) throws CacheException {
    if (name.isEmpty() || name.equals(".") || name.equals("..") || name.startsWith(".")
        || name.indexOf('/') >= 0 || name.indexOf('\\') >= 0
        || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new CacheException(what + " name '" + name
          + "' (expected: a file name without separators, not starting with '.')");
    }
    return name;
  }

  private static boolean intact(Path dir, List<String> entries) throws IOException {
    List<String> seen = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (Files.isSymbolicLink(p)) {
          return false;
        }
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          seen.add(dir.relativize(p).toString().replace('\\', '/'));
        }
      }
    }
    if (seen.size() != entries.size()) {
      return false;
    }
    for (String line : entries) {
      String[] parts = line.split(" ", 3);
      if (parts.length != 3) {
        return false;
      }
      Path file = dir.resolve(parts[2]).normalize();
      if (!file.startsWith(dir) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
          || Files.size(file) != Long.parseLong(parts[1]) || !sha256(file).equals(parts[0])) {
        return false;
      }
    }
    return true;
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void deleteQuietly(Path path) {
    try {
      if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
      } else {
        Files.deleteIfExists(path);
      }
    } catch (NoSuchFileException e) {
      // already gone
    } catch (IOException e) {
      log.warn("cache: cannot delete {}: {}", path, e.toString());
    }
  }

  /** The cache refused or could not write a version; the message says which and why. */
  public static final class CacheException extends Exception {
    private static final long serialVersionUID = 1L;

    public CacheException(String message) {
      super(message);
    }

    public CacheException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
