package io.sluice.registry.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCacheTest {
  private static final Map<String, String> FILES =
      Map.of("MLmodel", "flavors: {}", "model.onnx", "graph", "sub/w.data", "weights");
  @TempDir Path tmp;

  private static List<ArtifactFile> listing() {
    return FILES.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(e -> new ArtifactFile(e.getKey(), e.getValue().length())).toList();
  }

  private static long write(ArtifactFile f, Path target) throws java.io.IOException {
    Files.writeString(target, FILES.get(f.path()));
    return Files.size(target);
  }

  private Path store(ModelCache cache, String version, String uri) throws Exception {
    return cache.store("fraud", version, uri, listing(), (f, t) -> {
      try {
        return write(f, t);
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void aStoredVersionIsReusedAfterARestart() throws Exception {
    Path dir = store(new ModelCache(tmp), "3", "mlflow-artifacts:/1/m");

    assertThat(Files.readString(dir.resolve("sub/w.data"))).isEqualTo("weights");
    assertThat(new ModelCache(tmp).reuse("fraud", "3", "mlflow-artifacts:/1/m")).contains(dir);
    assertThat(new ModelCache(tmp).reuse("fraud", "3", "mlflow-artifacts:/2/other")).isEmpty();
  }

  @Test
  void aFileChangedInTheCacheIsNotReused() throws Exception {
    Path dir = store(new ModelCache(tmp), "3", "u");
    Files.writeString(dir.resolve("model.onnx"), "GRAPH"); // same size, other bytes

    assertThat(new ModelCache(tmp).reuse("fraud", "3", "u")).isEmpty();
    assertThat(dir).doesNotExist();
  }

  @Test
  void aFolderWithoutItsManifestIsAnUnfinishedDownload() throws Exception {
    Files.createDirectories(tmp.resolve("fraud/4"));

    assertThat(new ModelCache(tmp).reuse("fraud", "4", "u")).isEmpty();
    assertThat(tmp.resolve("fraud/4")).doesNotExist();
  }

  @Test
  void aTruncatedFileIsRefusedAndNothingIsLeftBehind() throws Exception {
    ModelCache cache = new ModelCache(tmp);
    List<ArtifactFile> files = List.of(new ArtifactFile("model.onnx", 100));

    assertThatThrownBy(() -> cache.store("fraud", "5", "u", files,
            (f, t) -> {
              try {
                Files.writeString(t, "short");
              } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
              }
              return 5;
            }))
        .isInstanceOf(ModelCache.CacheException.class)
        .hasMessageContaining("truncated");
    try (var entries = Files.list(tmp.resolve("fraud"))) {
      assertThat(entries).isEmpty();
    }
  }

  @Test
  void pathsThatLeaveTheFolderAreRefused() {
    for (String bad : List.of("../x", "a/../../x", "/etc/passwd", "a//b", "./a", "a\\b", "c:x",
        "")) {
      assertThatThrownBy(() -> ModelCache.contained(tmp, bad))
          .as(bad).isInstanceOf(ModelCache.CacheException.class);
    }
  }

  @Test
  void namesThatAreNotOneFolderAreRefused() throws Exception {
    ModelCache cache = new ModelCache(tmp);
    for (String bad : List.of("..", ".hidden", "a/b", "")) {
      assertThatThrownBy(() -> cache.versionDir(bad, "1")).as(bad)
          .isInstanceOf(ModelCache.CacheException.class);
    }
  }

  @Test
  void aCachedFolderHoldingASymlinkIsNotReused() throws Exception {
    Path dir = store(new ModelCache(tmp), "3", "u");
    Files.delete(dir.resolve("model.onnx"));
    Files.createSymbolicLink(dir.resolve("model.onnx"), Path.of("/etc/hostname"));

    assertThat(new ModelCache(tmp).reuse("fraud", "3", "u")).isEmpty();
  }

  @Test
  void pruningKeepsOnlyTheVersionsNamed() throws Exception {
    ModelCache cache = new ModelCache(tmp);
    store(cache, "1", "u");
    store(cache, "2", "u");

    cache.prune("fraud", Set.of("2"));

    try (var entries = Files.list(tmp.resolve("fraud"))) {
      assertThat(entries.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("2", "2.manifest");
    }
    assertThat(Files.readString(tmp.resolve("fraud/2.manifest"), StandardCharsets.UTF_8))
        .startsWith("uri u\n");
  }
}
