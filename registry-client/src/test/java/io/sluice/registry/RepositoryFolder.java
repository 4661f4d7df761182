package io.sluice.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds a model repository on disk, one call per folder or file, for tests. */
final class RepositoryFolder {

  private final Path root;

  RepositoryFolder(Path root) {
    this.root = root;
  }

  LocalModelRepository open() throws RepositoryException {
    return LocalModelRepository.open(root);
  }

  /** Writes {@code <root>/<model>/config.pbtxt}. */
  RepositoryFolder config(String model, String text) {
    return file(model + "/" + LocalModelRepository.CONFIG_FILE, text);
  }

  /** Creates {@code <root>/<model>/<version>/model.onnx}. */
  RepositoryFolder onnxVersion(String model, long version) {
    return file(model + "/" + version + "/model.onnx", "onnx bytes");
  }

  /** Creates a folder (and its parents) under the root. */
  RepositoryFolder folder(String relative) {
    try {
      Files.createDirectories(root.resolve(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** Writes a file (creating its parents) under the root. */
  RepositoryFolder file(String relative, String content) {
    Path file = root.resolve(relative);
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }
}
