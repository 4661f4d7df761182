package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelVersionPolicy;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model repository laid out as Triton's, so an existing Triton repository serves unchanged.
 *
 * <pre>
 * &lt;root&gt;/&lt;model&gt;/config.pbtxt              optional
 * &lt;root&gt;/&lt;model&gt;/&lt;version&gt;/model.onnx   or model.savedmodel/, or the
 *                                      configuration's default_model_filename
 * </pre>
 *
 * <p>A model is any folder under the root whose name does not start with a dot; a version is any
 * folder under a model whose name is a non-negative decimal number written without leading zeros.
 * Everything else (files at the root, hidden folders, {@code labels.txt}, a {@code v2} folder) is
 * ignored, so notes and tooling can live next to the models. The repository holds no state: every
 * call reads the disk again, which is what a poller that watches for changes wants, and what makes
 * an instance safe to share between threads.
 *
 * <p>The model file of a version is {@code default_model_filename} when the configuration sets it,
 * else the default of the configured platform or backend (Triton's table: {@code model.onnx},
 * {@code model.savedmodel}, {@code model.graphdef}, {@code model.plan}, {@code model.pt}, {@code
 * model.py}), else, with no platform or backend at all, whichever of {@code model.onnx} and {@code
 * model.savedmodel} is present. A version without its model file is still returned, carrying the
 * problem, so one bad upload does not hide the model's good versions.
 *
 * <p>Every file is found through {@link ContainedPath}: {@code config.pbtxt} and the model file
 * must resolve, symbolic links followed, inside the model's and the version's folder. Messages
 * name paths relative to the repository root ({@code iris_classifier/1/model.onnx}), never the
 * server's absolute paths, since they reach clients through the repository index and load errors.
 */
public final class LocalModelRepository implements ModelRepository {

  private static final Logger logger = LoggerFactory.getLogger(LocalModelRepository.class);

  static final String CONFIG_FILE = "config.pbtxt";

  // Used when a configuration names neither platform nor backend (or there is no configuration):
  // Sluice serves ONNX and SavedModel, so look for those, ONNX first.
  private static final List<String> UNSPECIFIED_CANDIDATES =
      List.of("model.onnx", "model.savedmodel");

  private static final Map<String, List<String>> PLATFORM_CANDIDATES =
      Map.of(
          "onnxruntime_onnx", List.of("model.onnx"),
          "tensorflow_savedmodel", List.of("model.savedmodel"),
          "tensorflow_graphdef", List.of("model.graphdef"),
          "tensorrt_plan", List.of("model.plan"),
          "pytorch_libtorch", List.of("model.pt"));

  private static final Map<String, List<String>> BACKEND_CANDIDATES =
      Map.of(
          "onnxruntime", List.of("model.onnx"),
          // The TensorFlow backend serves both formats; which one is told by the file present.
          "tensorflow", List.of("model.savedmodel", "model.graphdef"),
          "tensorrt", List.of("model.plan"),
          "pytorch", List.of("model.pt"),
          "python", List.of("model.py"));

  private final Path root;

  private LocalModelRepository(Path root) {
    this.root = root;
  }

  /**
   * A repository over the folder {@code root}.
   *
   * @throws RepositoryException of kind {@link RepositoryException.Kind#NOT_FOUND} when {@code
   *     root} is not a folder
   */
  public static LocalModelRepository open(Path root) throws RepositoryException {
    Path dir = requireNonNull(root, "root").toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new RepositoryException(
          RepositoryException.Kind.NOT_FOUND,
          "model repository "
              + dir
              + " is not a folder (expected: a Triton-style model repository)");
    }
    return new LocalModelRepository(dir);
  }

  /** The repository's folder, absolute and normalized. */
  public Path root() {
    return root;
  }

  @Override
  public List<String> modelNames() throws RepositoryException {
    List<String> names = new ArrayList<>();
    for (Path entry : list(root)) {
      String name = entry.getFileName().toString();
      if (isPlainName(name) && Files.isDirectory(entry)) {
        names.add(name);
      }
    }
    Collections.sort(names);
    return List.copyOf(names);
  }

  @Override
  public ModelSource resolve(String modelName) throws RepositoryException {
    Path directory = modelDirectory(requireNonNull(modelName, "modelName"));
    Optional<ModelConfig> config = readConfig(modelName, directory);
    ModelVersionPolicy policy =
        config.map(ModelConfig::getVersionPolicy).orElse(ModelVersionPolicy.getDefaultInstance());

    List<Long> available = versionsOnDisk(directory);
    warnAboutMissingSpecificVersions(modelName, directory, policy, available);
    List<String> candidates = modelFileCandidates(config);
    String noCandidates = candidates.isEmpty() ? noDefaultModelFile(config.orElseThrow()) : null;

    List<VersionSource> versions = new ArrayList<>();
    for (long version : VersionPolicies.select(policy, available)) {
      Path versionDirectory = directory.resolve(Long.toString(version));
      versions.add(
          noCandidates != null
              ? new VersionSource(
                  version, versionDirectory, versionDirectory, Optional.of(noCandidates))
              : versionSource(modelName, versionDirectory, version, candidates));
    }
    return new ModelSource(modelName, directory, config, versions);
  }

  @Override
  public String toString() {
    return "LocalModelRepository(" + root + ")";
  }

  private Path modelDirectory(String modelName) throws RepositoryException {
    if (!isPlainName(modelName)) {
      throw new RepositoryException(
          RepositoryException.Kind.NOT_FOUND,
          "model name '"
              + modelName
              + "' (expected: a folder name without '/', '\\', a leading '.'"
              + " or control characters)");
    }
    Path directory;
    try {
      directory = root.resolve(modelName);
    } catch (InvalidPathException e) {
      throw new RepositoryException(
          RepositoryException.Kind.NOT_FOUND, "model name '" + modelName + "' is not a path", e);
    }
    // Belt and braces: whatever the name, the model's folder is a direct child of the root.
    if (!root.equals(directory.normalize().getParent()) || !Files.isDirectory(directory)) {
      throw new RepositoryException(
          RepositoryException.Kind.NOT_FOUND,
          "model '" + modelName + "' not found in the repository");
    }
    return directory;
  }

  private static Optional<ModelConfig> readConfig(String modelName, Path directory)
      throws RepositoryException {
    String source = modelName + "/" + CONFIG_FILE;
    Optional<Path> found = ContainedPath.resolve(directory, CONFIG_FILE, source);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Path file = found.get();
    String text;
    try {
      text = Files.readString(file);
    } catch (CharacterCodingException e) {
      throw invalid(source, "not valid UTF-8", e);
    } catch (IOException e) {
      throw new RepositoryException(RepositoryException.Kind.IO, "cannot read " + source, e);
    }
    ModelConfig config = ConfigPbtxt.parse(text, source);

    // Triton's rule: the folder names the model; a config may repeat the name, never change it.
    if (!config.getName().isEmpty() && !config.getName().equals(modelName)) {
      throw invalid(
          source,
          "name: \""
              + config.getName()
              + "\" (expected: \""
              + modelName
              + "\", the name of the model's folder, or no name)",
          null);
    }
    Optional<String> policyProblem = VersionPolicies.problem(config.getVersionPolicy());
    if (policyProblem.isPresent()) {
      throw invalid(source, policyProblem.get(), null);
    }
    String fileName = config.getDefaultModelFilename();
    if (!fileName.isEmpty() && !isPlainName(fileName)) {
      throw invalid(
          source,
          "default_model_filename: \""
              + fileName
              + "\" (expected: a file name inside the version folder)",
          null);
    }
    return Optional.of(config);
  }

  private List<Long> versionsOnDisk(Path modelDirectory) throws RepositoryException {
    List<Long> versions = new ArrayList<>();
    for (Path entry : list(modelDirectory)) {
      String name = entry.getFileName().toString();
      if (!Files.isDirectory(entry)) {
        continue;
      }
      OptionalLong version = parseVersion(name);
      if (version.isPresent()) {
        versions.add(version.getAsLong());
      } else if (isPlainName(name)) {
        logger.debug("{}: ignoring folder '{}' (not a version number)", modelDirectory, name);
      }
    }
    Collections.sort(versions);
    return versions;
  }

  private static void warnAboutMissingSpecificVersions(
      String modelName, Path directory, ModelVersionPolicy policy, List<Long> available) {
    if (!policy.hasSpecific()) {
      return;
    }
    Set<Long> present = new HashSet<>(available);
    for (long version : policy.getSpecific().getVersionsList()) {
      if (!present.contains(version)) {
        logger.warn(
            "model '{}': version_policy lists version {}, but {} has no such folder",
            modelName,
            version,
            directory);
      }
    }
  }

  private static List<String> modelFileCandidates(Optional<ModelConfig> config) {
    if (config.isEmpty()) {
      return UNSPECIFIED_CANDIDATES;
    }
    ModelConfig c = config.get();
    if (!c.getDefaultModelFilename().isEmpty()) {
      return List.of(c.getDefaultModelFilename());
    }
    if (!c.getPlatform().isEmpty()) {
      return PLATFORM_CANDIDATES.getOrDefault(c.getPlatform(), List.of());
    }
    if (!c.getBackend().isEmpty()) {
      return BACKEND_CANDIDATES.getOrDefault(c.getBackend(), List.of());
    }
    return UNSPECIFIED_CANDIDATES;
  }

  private static String noDefaultModelFile(ModelConfig config) {
    String what =
        config.getPlatform().isEmpty()
            ? "backend \"" + config.getBackend() + "\""
            : "platform \"" + config.getPlatform() + "\"";
    return "no default model file for "
        + what
        + " (expected: default_model_filename in "
        + CONFIG_FILE
        + ")";
  }

  private static VersionSource versionSource(
      String modelName, Path directory, long version, List<String> candidates) {
    String folder = modelName + "/" + version;
    for (String candidate : candidates) {
      Optional<Path> file;
      try {
        file = ContainedPath.resolve(directory, candidate, folder + "/" + candidate);
      } catch (RepositoryException e) {
        return new VersionSource(
            version, directory, directory.resolve(candidate), Optional.of(e.getMessage()));
      }
      if (file.isPresent()) {
        return new VersionSource(version, directory, file.get(), Optional.empty());
      }
    }
    String expected =
        candidates.size() == 1 ? candidates.get(0) : "one of " + String.join(", ", candidates);
    return new VersionSource(
        version,
        directory,
        directory.resolve(candidates.get(0)),
        Optional.of("no model file in " + folder + " (expected: " + expected + ")"));
  }

  /**
   * The version a folder name stands for: a non-negative decimal without sign or leading zeros, so
   * that {@code 7} and {@code 007} can never both claim version 7.
   */
  static OptionalLong parseVersion(String name) {
    if (name.isEmpty() || name.length() > 19 || (name.length() > 1 && name.charAt(0) == '0')) {
      return OptionalLong.empty();
    }
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      if (ch < '0' || ch > '9') {
        return OptionalLong.empty();
      }
    }
    try {
      return OptionalLong.of(Long.parseLong(name));
    } catch (NumberFormatException e) {
      return OptionalLong.empty(); // 19 digits above Long.MAX_VALUE
    }
  }

  /** A name that can only mean one entry of a folder: not hidden, no separators or controls. */
  static boolean isPlainName(String name) {
    if (name.isEmpty() || name.charAt(0) == '.') {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      if (ch == '/' || ch == '\\' || ch < 0x20 || ch == 0x7f) {
        return false;
      }
    }
    return true;
  }

  /** {@code dir} as the repository names it in messages: relative to the root. */
  private String relative(Path dir) {
    Path r = dir.startsWith(root) ? root.relativize(dir) : dir.getFileName();
    String s = r == null ? "" : r.toString();
    return s.isEmpty() ? "the repository root" : s;
  }

  private List<Path> list(Path dir) throws RepositoryException {
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path entry : stream) {
        entries.add(entry);
      }
    } catch (NoSuchFileException e) {
      // Removed between two reads, which a poller racing a deployment will see.
      throw new RepositoryException(
          RepositoryException.Kind.NOT_FOUND, relative(dir) + " no longer exists", e);
    } catch (IOException e) {
      throw new RepositoryException(
          RepositoryException.Kind.IO, "cannot list " + relative(dir), e);
    } catch (DirectoryIteratorException e) {
      throw new RepositoryException(
          RepositoryException.Kind.IO, "cannot list " + relative(dir), e.getCause());
    }
    return entries;
  }

  private static RepositoryException invalid(String source, String what, Throwable cause) {
    return new RepositoryException(
        RepositoryException.Kind.INVALID_CONFIG, source + ": " + what, cause);
  }
}
