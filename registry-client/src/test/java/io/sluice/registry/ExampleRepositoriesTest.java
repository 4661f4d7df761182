package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The repositories under {@code examples/} that the demo and the gateway's tests serve. */
class ExampleRepositoriesTest {

  // Surefire runs in the module's folder.
  private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

  @Test
  void everyExampleModelResolvesWithItsFilesInPlace() throws Exception {
    Path root = EXAMPLES.resolve("model_repository");
    assumeTrue(Files.isDirectory(root), root + " not present");
    LocalModelRepository repository = LocalModelRepository.open(root);

    assertThat(repository.modelNames())
        .contains("iris_classifier", "tiny_mlp", "category_encoder", "int_adder");
    for (String name : repository.modelNames()) {
      ModelSource model = repository.resolve(name);
      assertThat(model.versions()).as(name).isNotEmpty();
      assertThat(model.versions())
          .as(name)
          .allSatisfy(
              v -> {
                assertThat(v.problem()).isEmpty();
                assertThat(v.modelFile()).exists();
              });
    }
    assertThat(repository.resolve("tiny_mlp").config()).isEmpty();
    assertThat(repository.resolve("int_adder").versions())
        .extracting(VersionSource::version)
        .containsExactly(1L, 2L);
    ModelSource iris = repository.resolve("iris_classifier");
    String labels = iris.config().orElseThrow().getOutput(1).getLabelFilename();
    assertThat(iris.directory().resolve(labels)).exists();
  }

  @Test
  void theBrokenExampleRepositoryFailsOnlyItsBadConfig() throws Exception {
    Path root = EXAMPLES.resolve("broken_repository");
    assumeTrue(Files.isDirectory(root), root + " not present");
    LocalModelRepository repository = LocalModelRepository.open(root);

    assertThatThrownBy(() -> repository.resolve("bad_config"))
        .isInstanceOfSatisfying(
            RepositoryException.class,
            e -> assertThat(e.kind()).isEqualTo(RepositoryException.Kind.INVALID_CONFIG))
        .hasMessageContaining("config.pbtxt:");
    // A corrupt model file is the backend's to find; the repository only sees that it is there.
    assertThat(repository.resolve("corrupt_model").versions())
        .singleElement()
        .satisfies(v -> assertThat(v.problem()).isEmpty());
  }
}
