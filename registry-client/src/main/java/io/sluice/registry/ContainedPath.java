package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The one way Sluice finds a file a model folder names (the model file in a version folder,
 * {@code config.pbtxt}, a {@code label_filename} or a warm-up file in the model folder): the
 * file's <em>real</em> path, and only when that is inside the folder's real path.
 *
 * <p>The name must be relative; {@code ..} may not climb out; and after every symbolic link is
 * followed ({@link Path#toRealPath}) the file must still lie inside the folder, so a link in a
 * model folder pointing at {@code /etc/passwd} is refused, not read. The folder itself may be a
 * link (a repository of links to model folders stays usable); links inside it may point anywhere
 * inside it. Callers read the returned real path, so what was checked is what is read.
 */
public final class ContainedPath {
  private ContainedPath() {}

  /**
   * The real path of {@code relative} inside {@code folder}.
   *
   * @param what how errors name the reference, e.g. {@code label_filename "labels.txt"}
   * @return empty when nothing (not even a dangling link) is there
   * @throws RepositoryException {@link RepositoryException.Kind#INVALID_CONFIG} when the name is
   *     absolute or empty, or the file resolves outside the folder; {@link
   *     RepositoryException.Kind#IO} when the folder cannot be read
   */
  public static Optional<Path> resolve(Path folder, String relative, String what)
      throws RepositoryException {
    requireNonNull(folder, "folder");
    requireNonNull(relative, "relative");
    requireNonNull(what, "what");
    Path base;
    try {
      base = folder.toRealPath();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new RepositoryException(
          RepositoryException.Kind.IO, what + ": its folder cannot be read", e);
    }
    Path name;
    try {
      name = Path.of(relative);
    } catch (InvalidPathException e) {
      throw outside(what, "is not a file name");
    }
    if (relative.isEmpty() || name.isAbsolute() || name.getRoot() != null) {
      throw outside(what, "is not a relative file name");
    }
    Path candidate = base.resolve(name).normalize();
    if (!candidate.startsWith(base) || candidate.equals(base)) {
      throw outside(what, "leaves its folder");
    }
    if (!Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    Path real;
    try {
      real = candidate.toRealPath();
    } catch (NoSuchFileException e) {
      // A link to nothing: there is no file to read, wherever it pointed.
      return Optional.empty();
    } catch (IOException e) {
      throw new RepositoryException(RepositoryException.Kind.IO, what + " cannot be read", e);
    }
    if (!real.startsWith(base)) {
      throw outside(what, "resolves outside its folder through a symbolic link");
    }
    return Optional.of(real);
  }

  private static RepositoryException outside(String what, String problem) {
    return new RepositoryException(
        RepositoryException.Kind.INVALID_CONFIG,
        what + " " + problem + " (expected: a file inside the folder, reached without leaving it)");
  }
}
