package io.sluice.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.gateway.model.BackendRegistry;
import io.sluice.gateway.model.LifecycleConfig;
import io.sluice.gateway.model.LoadedVersion;
import io.sluice.gateway.model.ModelManager;
import io.sluice.registry.LocalModelRepository;
import io.sluice.runtime.Status;
import io.sluice.runtime.Ticker;
import io.sluice.runtime.onnx.OnnxBackendProvider;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Load and unload in each {@link ModelControlMode}, on the example repository. */
class RepositoryControlModeTest {
  private static ModelManager manager;

  @BeforeAll
  static void start() throws Exception {
    manager =
        new ModelManager(
            LocalModelRepository.open(Path.of("../examples/model_repository")),
            LifecycleConfig.ofDefaults(),
            BackendRegistry.of(new OnnxBackendProvider()),
            new SimpleMeterRegistry(),
            Clock.systemUTC(),
            Ticker.SYSTEM,
            Executors.newSingleThreadExecutor(),
            Duration.ofSeconds(30));
    manager.loadAll().join();
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  private static Status refusal(CompletableFuture<Void> f) {
    try {
      f.join();
      throw new AssertionError("expected a refusal");
    } catch (CompletionException e) {
      return Status.fromThrowable(e);
    }
  }

  @Test
  void noneModeRefusesLoadAndUnloadWithTritonsStatusAndLeavesTheModelServing() {
    LoadedVersion before = manager.ready("tiny_mlp", "");
    DefaultRepositoryControl control = new DefaultRepositoryControl(manager, ModelControlMode.NONE);

    Status load = refusal(control.load("tiny_mlp", Map.of()));
    Status unload = refusal(control.unload("tiny_mlp"));

    assertThat(load.code()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(load.description())
        .startsWith("explicit model load / unload is not allowed if polling is enabled")
        .contains("model-control-mode none");
    assertThat(unload.code()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(manager.ready("tiny_mlp", "")).isSameAs(before);
  }

  @Test
  void pollModeRefusesLoadAndUnloadAndLeavesTheModelServing() {
    LoadedVersion before = manager.ready("iris_classifier", "");
    DefaultRepositoryControl control = new DefaultRepositoryControl(manager, ModelControlMode.POLL);

    Status load = refusal(control.load("iris_classifier", Map.of("config", "{}")));
    Status unload = refusal(control.unload("iris_classifier"));

    assertThat(load.code()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(load.description()).contains("model-control-mode poll");
    assertThat(unload.code()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(manager.ready("iris_classifier", "")).isSameAs(before);
  }

  @Test
  void pollModeRefusesABadLoadBeforeReadingIt() {
    DefaultRepositoryControl control = new DefaultRepositoryControl(manager, ModelControlMode.POLL);

    assertThat(refusal(control.load("int_adder", Map.of("config", "not json"))).code())
        .isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void explicitModeReloadsAModel() {
    LoadedVersion before = manager.ready("int_adder", "");
    DefaultRepositoryControl control =
        new DefaultRepositoryControl(manager, ModelControlMode.EXPLICIT);

    control.load("int_adder", Map.of()).join();

    assertThat(manager.ready("int_adder", "")).isNotSameAs(before);
  }

  @Test
  void aModeIsReadInAnyCase() {
    assertThat(ModelControlMode.parse(" Poll ")).isEqualTo(ModelControlMode.POLL);
    assertThatThrownBy(() -> ModelControlMode.parse("")).hasMessageContaining("expected: none");
  }
}
