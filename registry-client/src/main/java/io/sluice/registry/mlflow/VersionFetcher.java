package io.sluice.registry.mlflow;

import static java.util.Objects.requireNonNull;

import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.registry.ConfigPbtxt;
import io.sluice.registry.ContainedPath;
import io.sluice.registry.RepositoryException;
import io.sluice.registry.VersionSource;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches and verifies one registry version: resolve its download URI, list and download every
 * file (MLflow models are whole folders: ONNX external data lives beside {@code model.onnx}) into
 * the {@link ModelCache}, then read {@code MLmodel} (the onnx flavor's file, the signature) and an
 * optional {@code config.pbtxt}. The result is a {@link VersionSource} the gateway loads like a
 * folder version, carrying its own config and the declared signature. Blocking: for the poller.
 */
public final class VersionFetcher {
  private static final Logger log = LoggerFactory.getLogger(VersionFetcher.class);
  static final String MLMODEL = "MLmodel";
  static final String CONFIG = "config.pbtxt";

  private final MlflowClient client;
  private final ModelCache cache;

  public VersionFetcher(MlflowClient client, ModelCache cache) {
    this.client = requireNonNull(client, "client");
    this.cache = requireNonNull(cache, "cache");
  }

  /** Why a fetch failed, and whether the same version is worth fetching again. */
  public static final class FetchException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String step;
    private final boolean permanent;

    FetchException(String step, boolean permanent, String message, Throwable cause) {
      super(message, cause);
      this.step = step;
      this.permanent = permanent;
    }

    /** {@code fetch} (the registry or a download failed) or {@code verify} (the files are bad). */
    public String step() {
      return step;
    }

    /** True when the version's files themselves are bad: fetching again cannot help. */
    public boolean permanent() {
      return permanent;
    }
  }

  /**
   * The version's files in the cache, fetched now or reused from an earlier run.
   *
   * @throws FetchException step {@code fetch} (transient) when the registry or a download failed
   *     or the version is not READY yet; step {@code verify} (permanent) when a path leaves the
   *     cache, {@code MLmodel} is missing or bad, or {@code config.pbtxt} does not parse
   */
  public VersionSource fetch(ModelVersion mv) throws FetchException {
    String name = mv.name();
    String version = mv.version();
    long number = parseVersion(name, version);
    if (!mv.ready()) {
      throw new FetchException("fetch", false,
          name + " version " + version + " is " + mv.status() + " (expected: READY)", null);
    }
    Path dir;
    try {
      String uri = client.downloadUri(name, version);
      Optional<Path> reused = cache.reuse(name, version, uri);
      if (reused.isPresent()) {
        dir = reused.get();
        log.info("{} version {}: reusing {}", name, version, dir);
      } else {
        ArtifactRoot root = client.root(uri);
        List<ArtifactFile> files = client.list(root);
        if (files.stream().noneMatch(f -> f.path().equals(MLMODEL))) {
          throw new FetchException("verify", true, name + " version " + version + ": no "
              + MLMODEL + " at " + uri + " (expected: a model logged with mlflow.onnx)", null);
        }
        for (ArtifactFile f : files) {
          ModelCache.contained(cache.root(), f.path()); // refuse a bad path before any download
        }
        dir = cache.store(name, version, uri, files, (f, target) ->
            client.download(root, f.path(), target));
        log.info("{} version {}: fetched {} files from {} into {}", name, version, files.size(),
            uri, dir);
      }
    } catch (MlflowException e) {
      throw new FetchException("fetch", false, e.getMessage(), e);
    } catch (ModelCache.CacheException e) {
      boolean path = e.getMessage().startsWith("artifact path");
      throw new FetchException(path ? "verify" : "fetch", path,
          name + " version " + version + ": " + e.getMessage(), e);
    }
    try {
      MlModel mlmodel = MlModel.parse(read(dir.resolve(MLMODEL)), name + " version " + version
          + " " + MLMODEL);
      // The registry names the file; read it only where it really lies inside the version.
      Optional<Path> found = ContainedPath.resolve(dir, mlmodel.modelFile(),
          "the onnx flavor's data \"" + mlmodel.modelFile() + "\"");
      Path modelFile = found.orElse(dir.resolve(mlmodel.modelFile()).normalize());
      Optional<String> problem = found.filter(Files::isRegularFile).isPresent()
          ? Optional.empty()
          : Optional.of("no model file " + mlmodel.modelFile() + " in " + dir
              + " (expected: the onnx flavor's data)");
      Optional<ModelConfig> config = Optional.empty();
      Path configFile = dir.resolve(CONFIG);
      if (Files.isRegularFile(configFile)) {
        ModelConfig c = ConfigPbtxt.parse(read(configFile), configFile.toString());
        if (!c.getName().isEmpty() && !c.getName().equals(name)) {
          throw new RepositoryException(RepositoryException.Kind.INVALID_CONFIG, configFile
              + ": name: \"" + c.getName() + "\" (expected: \"" + name + "\" or no name)");
        }
        config = Optional.of(c);
      }
      return new VersionSource(number, dir, modelFile, problem, config, mlmodel.signature(),
          true);
    } catch (RepositoryException e) {
      throw new FetchException("verify", true, e.getMessage(), e);
    } catch (IOException e) {
      throw new FetchException("fetch", false, "cannot read " + dir + ": " + e, e);
    }
  }

  private static String read(Path file) throws IOException, RepositoryException {
    try {
      return Files.readString(file);
    } catch (CharacterCodingException e) {
      throw new RepositoryException(RepositoryException.Kind.INVALID_CONFIG,
          file + ": not valid UTF-8", e);
    }
  }

  private static long parseVersion(String name, String version) throws FetchException {
    try {
      long v = Long.parseLong(version);
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new FetchException("fetch", true,
        name + " version '" + version + "' (expected: MLflow's decimal version)", null);
  }
}
