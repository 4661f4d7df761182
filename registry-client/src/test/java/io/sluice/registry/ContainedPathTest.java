package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.registry.RepositoryException.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real symbolic links in a temporary folder: what ContainedPath lets a model folder read. */
class ContainedPathTest {
  @TempDir Path tmp;
  private Path folder;
  private Path outside;

  @BeforeEach
  void layout() throws Exception {
    folder = Files.createDirectories(tmp.resolve("repo/m"));
    Files.writeString(folder.resolve("labels.txt"), "a\nb\n");
    Files.createDirectories(folder.resolve("sub"));
    Files.writeString(folder.resolve("sub/inner.txt"), "x");
    outside = Files.writeString(tmp.resolve("secret.txt"), "root:x:0:0");
  }

  @Test
  void aFileInTheFolderResolvesToItsRealPath() throws Exception {
    assertThat(ContainedPath.resolve(folder, "labels.txt", "labels"))
        .contains(folder.resolve("labels.txt").toRealPath());
    assertThat(ContainedPath.resolve(folder, "sub/inner.txt", "inner"))
        .contains(folder.resolve("sub/inner.txt").toRealPath());
  }

  @Test
  void aMissingFileIsEmpty() throws Exception {
    assertThat(ContainedPath.resolve(folder, "nope.txt", "labels")).isEmpty();
  }

  @Test
  void aSymlinkPointingOutOfTheFolderIsRefusedWithoutNamingItsTarget() throws Exception {
    Files.createSymbolicLink(folder.resolve("evil.txt"), outside);
    Files.createSymbolicLink(folder.resolve("passwd"), Path.of("/etc/passwd"));

    for (String name : new String[] {"evil.txt", "passwd"}) {
      assertThatThrownBy(() -> ContainedPath.resolve(folder, name, "label_filename \"" + name + "\""))
          .isInstanceOfSatisfying(RepositoryException.class,
              e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_CONFIG))
          .hasMessageContaining("label_filename \"" + name + "\"")
          .hasMessageContaining("outside its folder")
          .hasMessageNotContaining(tmp.toString())
          .hasMessageNotContaining("/etc");
    }
  }

  @Test
  void aSymlinkedFolderOnTheWayOutIsRefused() throws Exception {
    Files.createSymbolicLink(folder.resolve("up"), tmp);
    assertThatThrownBy(() -> ContainedPath.resolve(folder, "up/secret.txt", "file"))
        .isInstanceOf(RepositoryException.class)
        .hasMessageContaining("outside its folder");
  }

  @Test
  void dotDotAndAbsoluteNamesAreRefused() {
    for (String name : new String[] {"../../x", "../secret.txt", "sub/../../secret.txt",
        "/etc/passwd", "", ".."}) {
      assertThatThrownBy(() -> ContainedPath.resolve(folder, name, "default_model_filename"))
          .as(name)
          .isInstanceOfSatisfying(RepositoryException.class,
              e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_CONFIG))
          .hasMessageNotContaining(tmp.toString());
    }
  }

  @Test
  void aSymlinkInsideTheFolderToAnotherFileInsideItIsFollowed() throws Exception {
    Files.createSymbolicLink(folder.resolve("alias.txt"), folder.resolve("sub/inner.txt"));
    assertThat(ContainedPath.resolve(folder, "alias.txt", "alias"))
        .contains(folder.resolve("sub/inner.txt").toRealPath());
  }

  @Test
  void theFolderItselfMayBeASymlink() throws Exception {
    Path link = Files.createSymbolicLink(tmp.resolve("linked"), folder);
    assertThat(ContainedPath.resolve(link, "labels.txt", "labels"))
        .contains(folder.resolve("labels.txt").toRealPath());
  }

  @Test
  void aDanglingLinkIsMissing() throws Exception {
    Files.createSymbolicLink(folder.resolve("gone.txt"), tmp.resolve("nothing-here"));
    assertThat(ContainedPath.resolve(folder, "gone.txt", "labels")).isEmpty();
  }
}
