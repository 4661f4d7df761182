package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.registry.RepositoryException.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.ThrowingConsumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalModelRepositoryTest {

  @TempDir Path root;

  private RepositoryFolder repo;

  @BeforeEach
  void setUp() {
    repo = new RepositoryFolder(root);
  }

  @Test
  void modelNamesAreTheSortedFoldersAndIgnoreEverythingElse() throws Exception {
    repo.onnxVersion("zeta", 1)
        .onnxVersion("alpha", 1)
        .folder("empty_model")
        .folder(".git/objects")
        .folder(".hidden_model/1")
        .file("README.md", "notes")
        .file("config.pbtxt", "name: \"not a model\"");

    assertThat(repo.open().modelNames()).containsExactly("alpha", "empty_model", "zeta");
  }

  @Test
  void junkInsideAModelFolderIsNotAVersion() throws Exception {
    repo.onnxVersion("m", 3)
        .folder("m/v2")
        .folder("m/.4")
        .folder("m/05")
        .folder("m/-6")
        .folder("m/99999999999999999999")
        .file("m/7", "a file, not a folder")
        .file("m/labels.txt", "a\nb\n")
        .config("m", "version_policy { all { } }");

    ModelSource model = repo.open().resolve("m");

    assertThat(model.versions()).extracting(VersionSource::version).containsExactly(3L);
  }

  @Test
  void aModelWithoutConfigResolvesWithAnEmptyConfig() throws Exception {
    repo.onnxVersion("tiny", 1);

    ModelSource model = repo.open().resolve("tiny");

    assertThat(model.name()).isEqualTo("tiny");
    assertThat(model.directory()).isEqualTo(root.resolve("tiny"));
    assertThat(model.config()).isEmpty();
    assertThat(model.versions())
        .containsExactly(
            new VersionSource(
                1, root.resolve("tiny/1"), root.resolve("tiny/1/model.onnx"), Optional.empty()));
  }

  @Test
  void aModelWithoutVersionsResolvesWithNone() throws Exception {
    repo.config("m", "platform: \"onnxruntime_onnx\"");

    assertThat(repo.open().resolve("m").versions()).isEmpty();
  }

  @Test
  void anUnknownModelIsNotFound() throws Exception {
    repo.onnxVersion("m", 1);

    assertThatThrownBy(() -> repo.open().resolve("n"))
        .satisfies(kind(Kind.NOT_FOUND))
        .hasMessageContaining("'n'");
  }

  @Test
  void aFileAtTheRootIsNotAModel() throws Exception {
    repo.file("notes", "x");

    assertThatThrownBy(() -> repo.open().resolve("notes")).satisfies(kind(Kind.NOT_FOUND));
  }

  @Test
  void namesThatWalkOutOfTheRepositoryAreRejected() throws Exception {
    // A model folder next to the repository that a traversal would reach.
    Path repositoryRoot = root.resolve("repo");
    new RepositoryFolder(root).onnxVersion("outside", 1).onnxVersion("repo/inside", 1);
    LocalModelRepository repository = LocalModelRepository.open(repositoryRoot);

    for (String name :
        List.of(
            "../outside",
            "inside/../../outside",
            "./inside",
            "inside/1",
            root.resolve("outside").toString(),
            ".hidden")) {
      assertThatThrownBy(() -> repository.resolve(name)).as(name).satisfies(kind(Kind.NOT_FOUND));
    }
    assertThat(repository.resolve("inside").versions()).hasSize(1);
  }

  @Test
  void aRootThatIsNotAFolderCannotBeOpened() {
    assertThatThrownBy(() -> LocalModelRepository.open(root.resolve("missing")))
        .satisfies(kind(Kind.NOT_FOUND))
        .hasMessageContaining("missing");
  }

  @Test
  void anUnparsableConfigIsInvalidWithTheFileRelativeToTheRootAndThePosition() throws Exception {
    repo.onnxVersion("m", 1)
        .config(
            "m",
            "name: \"m\"\nmax_batch_size: 8\ninput [ { name: \"x\" data_typo: TYPE_FP32 } ]\n");

    assertThatThrownBy(() -> repo.open().resolve("m"))
        .satisfies(kind(Kind.INVALID_CONFIG))
        .hasMessageStartingWith("m/config.pbtxt:3:")
        .hasMessageContaining("data_typo")
        .hasMessageNotContaining(root.toString());
  }

  @Test
  void aConfigThatIsNotUtf8IsInvalid() throws Exception {
    repo.onnxVersion("m", 1);
    Files.write(
        root.resolve("m/config.pbtxt"),
        new byte[] {'n', 'a', 'm', 'e', ':', ' ', '"', (byte) 0xff, '"'});

    assertThatThrownBy(() -> repo.open().resolve("m"))
        .satisfies(kind(Kind.INVALID_CONFIG))
        .hasMessageContaining("UTF-8");
  }

  @Test
  void aConfigNameMustMatchItsFolder() throws Exception {
    repo.onnxVersion("resnet", 1)
        .config("resnet", "name: \"resnet50\"\nplatform: \"onnxruntime_onnx\"\n");

    assertThatThrownBy(() -> repo.open().resolve("resnet"))
        .satisfies(kind(Kind.INVALID_CONFIG))
        .hasMessageContaining("config.pbtxt")
        .hasMessageContaining("\"resnet50\"")
        .hasMessageContaining("\"resnet\"");
  }

  @Test
  void aConfigMayRepeatItsFolderName() throws Exception {
    repo.onnxVersion("resnet", 1).config("resnet", "name: \"resnet\"\n");

    assertThat(repo.open().resolve("resnet").config())
        .hasValueSatisfying(c -> assertThat(c.getName()).isEqualTo("resnet"));
  }

  @Test
  void withoutAPolicyOnlyTheLatestVersionIsServed() throws Exception {
    repo.onnxVersion("m", 1).onnxVersion("m", 10).onnxVersion("m", 2);

    assertThat(versionsOf("m")).containsExactly(10L);
  }

  @Test
  void latestTwoServesTheTwoHighestVersions() throws Exception {
    repo.onnxVersion("m", 1)
        .onnxVersion("m", 2)
        .onnxVersion("m", 3)
        .config("m", "version_policy: { latest: { num_versions: 2 } }");

    assertThat(versionsOf("m")).containsExactly(2L, 3L);
  }

  @Test
  void latestZeroIsAnInvalidConfig() throws Exception {
    repo.onnxVersion("m", 1).config("m", "version_policy { latest { } }");

    assertThatThrownBy(() -> repo.open().resolve("m"))
        .satisfies(kind(Kind.INVALID_CONFIG))
        .hasMessageContaining("num_versions: 0");
  }

  @Test
  void allServesEveryVersion() throws Exception {
    repo.onnxVersion("m", 3)
        .onnxVersion("m", 1)
        .onnxVersion("m", 2)
        .config("m", "version_policy { all { } }");

    assertThat(versionsOf("m")).containsExactly(1L, 2L, 3L);
  }

  @Test
  void specificServesTheListedVersionsThatExist() throws Exception {
    repo.onnxVersion("m", 1)
        .onnxVersion("m", 2)
        .onnxVersion("m", 3)
        .config("m", "version_policy { specific { versions: [3, 1, 7] } }");

    assertThat(versionsOf("m")).containsExactly(1L, 3L);
  }

  @Test
  void defaultModelFilenameNamesTheModelFile() throws Exception {
    repo.file("m/1/resnet.onnx", "x")
        .config("m", "platform: \"onnxruntime_onnx\"\ndefault_model_filename: \"resnet.onnx\"");

    VersionSource version = repo.open().resolve("m").versions().get(0);

    assertThat(version.modelFile()).isEqualTo(root.resolve("m/1/resnet.onnx"));
    assertThat(version.problem()).isEmpty();
  }

  @Test
  void aDefaultModelFilenameOutsideTheVersionFolderIsInvalid() throws Exception {
    repo.onnxVersion("m", 1).config("m", "default_model_filename: \"../../secret.onnx\"");

    assertThatThrownBy(() -> repo.open().resolve("m"))
        .satisfies(kind(Kind.INVALID_CONFIG))
        .hasMessageContaining("default_model_filename");
  }

  @Test
  void aModelFileSymlinkedOutOfItsVersionFolderIsAProblemNamingNoServerPath() throws Exception {
    repo.folder("m/1").file("elsewhere/model.onnx", "onnx bytes");
    java.nio.file.Files.createSymbolicLink(
        root.resolve("m/1/model.onnx"), root.resolve("elsewhere/model.onnx"));

    VersionSource version = repo.open().resolve("m").versions().get(0);

    assertThat(version.problem()).hasValueSatisfying(p -> assertThat(p)
        .contains("m/1/model.onnx", "outside its folder")
        .doesNotContain(root.toString()));
  }

  @Test
  void aConfigSymlinkedOutOfTheModelFolderIsInvalidAndNeverRead() throws Exception {
    repo.onnxVersion("m", 1).file("secret.txt", "root:x:0:0:root:/root:/bin/bash");
    java.nio.file.Files.createSymbolicLink(
        root.resolve("m/config.pbtxt"), root.resolve("secret.txt"));

    assertThatThrownBy(() -> repo.open().resolve("m"))
        .satisfies(kind(Kind.INVALID_CONFIG))
        .hasMessageContaining("m/config.pbtxt")
        .hasMessageContaining("outside its folder")
        .hasMessageNotContaining("root:x")
        .hasMessageNotContaining(root.toString());
  }

  @Test
  void aMissingModelFileIsNamedRelativeToTheRoot() throws Exception {
    repo.folder("m/1");

    assertThat(repo.open().resolve("m").versions().get(0).problem())
        .hasValueSatisfying(p -> assertThat(p).startsWith("no model file in m/1 ")
            .doesNotContain(root.toString()));
  }

  @Test
  void aSavedModelPlatformLooksForTheSavedModelFolder() throws Exception {
    repo.folder("tf/1/model.savedmodel/variables")
        .config("tf", "platform: \"tensorflow_savedmodel\"");

    VersionSource version = repo.open().resolve("tf").versions().get(0);

    assertThat(version.modelFile()).isEqualTo(root.resolve("tf/1/model.savedmodel"));
    assertThat(version.problem()).isEmpty();
  }

  @Test
  void theOnnxRuntimeBackendLooksForModelOnnx() throws Exception {
    repo.onnxVersion("m", 1).config("m", "backend: \"onnxruntime\"");

    assertThat(repo.open().resolve("m").versions().get(0).problem()).isEmpty();
  }

  @Test
  void withoutPlatformASavedModelIsFoundToo() throws Exception {
    repo.folder("tf/1/model.savedmodel");

    assertThat(repo.open().resolve("tf").versions().get(0).modelFile())
        .isEqualTo(root.resolve("tf/1/model.savedmodel"));
  }

  @Test
  void aVersionWithoutItsModelFileCarriesAProblemAndTheOthersStillResolve() throws Exception {
    repo.onnxVersion("m", 1)
        .file("m/2/model.savedmodel", "wrong format for this platform")
        .config("m", "platform: \"onnxruntime_onnx\"\nversion_policy { all { } }");

    List<VersionSource> versions = repo.open().resolve("m").versions();

    assertThat(versions.get(0).problem()).isEmpty();
    assertThat(versions.get(1).version()).isEqualTo(2);
    assertThat(versions.get(1).modelFile()).isEqualTo(root.resolve("m/2/model.onnx"));
    assertThat(versions.get(1).problem())
        .hasValueSatisfying(p -> assertThat(p).contains("model.onnx"));
  }

  @Test
  void aPlatformWithoutAKnownModelFileCarriesAProblem() throws Exception {
    repo.file("m/1/model.bin", "x").config("m", "backend: \"my_custom_backend\"");

    assertThat(repo.open().resolve("m").versions().get(0).problem())
        .hasValueSatisfying(
            p -> assertThat(p).contains("my_custom_backend", "default_model_filename"));
  }

  @Test
  void theRepositoryReadsTheDiskOnEveryCall() throws Exception {
    repo.onnxVersion("m", 1);
    LocalModelRepository repository = repo.open();
    assertThat(repository.resolve("m").versions())
        .extracting(VersionSource::version)
        .containsExactly(1L);

    repo.onnxVersion("m", 2).onnxVersion("n", 1);

    assertThat(repository.resolve("m").versions())
        .extracting(VersionSource::version)
        .containsExactly(2L);
    assertThat(repository.modelNames()).containsExactly("m", "n");
  }

  @Test
  void versionFolderNamesAreCanonicalDecimals() {
    assertThat(LocalModelRepository.parseVersion("0")).hasValue(0);
    assertThat(LocalModelRepository.parseVersion("42")).hasValue(42);
    assertThat(LocalModelRepository.parseVersion("9223372036854775807")).hasValue(Long.MAX_VALUE);
    for (String name :
        List.of("", "007", "+1", "-1", "1.0", "1e3", "9223372036854775808", "\u0661")) {
      assertThat(LocalModelRepository.parseVersion(name)).as(name).isEmpty();
    }
  }

  private static ThrowingConsumer<Throwable> kind(Kind kind) {
    return e ->
        assertThat(e)
            .isInstanceOf(RepositoryException.class)
            .extracting(t -> ((RepositoryException) t).kind())
            .isEqualTo(kind);
  }

  private List<Long> versionsOf(String model) throws RepositoryException {
    return repo.open().resolve(model).versions().stream().map(VersionSource::version).toList();
  }
}
