package io.sluice.registry;

import static java.util.Objects.requireNonNull;

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
 */
public record VersionSource(
    long version, Path directory, Path modelFile, Optional<String> problem) {

  public VersionSource {
    if (version < 0) {
      throw new IllegalArgumentException("version: " + version + " (expected: >= 0)");
    }
    requireNonNull(directory, "directory");
    requireNonNull(modelFile, "modelFile");
    requireNonNull(problem, "problem");
  }
}
