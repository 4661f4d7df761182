package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One version of a model as a repository resolved it.
 *
 * @param version the version number, the name of its folder
 * @param directory the version's folder
 * @param modelFile the file (or, for a SavedModel, the folder) the backend loads; when {@code
 *     problem} is present, where the file was expected (the version folder itself when not even the
 *     file's name is known)
 * @param problem why this version cannot be loaded, for example a missing model file; empty when
 *     its files are in place
 * @param config this version's own configuration, overriding the model's (a registry version
 *     carries its own {@code config.pbtxt}); empty to use the model's
 * @param declared the signature the registry declares for the version, which the graph must match;
 *     empty when there is none to check
 * @param immutable whether the version's files can never change (a registry version is fixed once
 *     registered), so a copy already serving is kept rather than loaded again
 */
public record VersionSource(
    long version,
    Path directory,
    Path modelFile,
    Optional<String> problem,
    Optional<ModelConfig> config,
    Optional<DeclaredSignature> declared,
    boolean immutable) {

  public VersionSource {
    if (version < 0) {
      throw new IllegalArgumentException("version: " + version + " (expected: >= 0)");
    }
    requireNonNull(directory, "directory");
    requireNonNull(modelFile, "modelFile");
    requireNonNull(problem, "problem");
    requireNonNull(config, "config");
    requireNonNull(declared, "declared");
  }

  /** A folder version: the model's configuration, no declared signature, files may change. */
  public VersionSource(long version, Path directory, Path modelFile, Optional<String> problem) {
    this(version, directory, modelFile, problem, Optional.empty(), Optional.empty(), false);
  }
}
