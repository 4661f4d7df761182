package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Comparator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link ModelRepository} promises, run once per implementation: a subclass builds a
 * repository holding the model {@code alpha} with versions 1 and 2 (policy {@code all}, model files
 * present) and the model {@code beta} with version 1, and nothing else.
 */
abstract class ModelRepositoryContractTest {

  abstract ModelRepository repositoryWithAlphaAndBeta() throws Exception;

  @Test
  void namesAreSortedAndDistinct() throws Exception {
    assertThat(repositoryWithAlphaAndBeta().modelNames()).containsExactly("alpha", "beta");
  }

  @Test
  void everyListedNameResolvesToItself() throws Exception {
    ModelRepository repository = repositoryWithAlphaAndBeta();
    for (String name : repository.modelNames()) {
      assertThat(repository.resolve(name).name()).isEqualTo(name);
    }
  }

  @Test
  void versionsComeAscendingWithoutProblems() throws Exception {
    ModelSource alpha = repositoryWithAlphaAndBeta().resolve("alpha");

    assertThat(alpha.versions()).extracting(VersionSource::version).containsExactly(1L, 2L);
    assertThat(alpha.versions())
        .isSortedAccordingTo(Comparator.comparingLong(VersionSource::version));
    assertThat(alpha.versions()).allSatisfy(v -> assertThat(v.problem()).isEmpty());
  }

  @Test
  void anUnknownModelIsNotFound() throws Exception {
    ModelRepository repository = repositoryWithAlphaAndBeta();

    assertThatThrownBy(() -> repository.resolve("gamma"))
        .isInstanceOfSatisfying(
            RepositoryException.class,
            e -> assertThat(e.kind()).isEqualTo(RepositoryException.Kind.NOT_FOUND));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        ".",
        "..",
        "../alpha",
        "alpha/..",
        "alpha/1",
        "/alpha",
        "..\\alpha",
        "al\u0000pha"
      })
  void aNameThatIsAPathIsNotFound(String name) throws Exception {
    ModelRepository repository = repositoryWithAlphaAndBeta();

    assertThatThrownBy(() -> repository.resolve(name))
        .isInstanceOfSatisfying(
            RepositoryException.class,
            e -> assertThat(e.kind()).isEqualTo(RepositoryException.Kind.NOT_FOUND));
  }
}
