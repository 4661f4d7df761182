package io.sluice.gateway.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.gateway.model.BackendRegistry;
import io.sluice.gateway.model.LifecycleConfig;
import io.sluice.gateway.model.ModelManager;
import io.sluice.registry.LocalModelRepository;
import io.sluice.runtime.Ticker;
import io.sluice.runtime.onnx.OnnxBackendProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Poll mode over a real folder and real ONNX Runtime sessions; each poll is called directly. */
class FolderPollerTest {
  private static final Path MODEL = Path.of("../examples/model_repository/tiny_mlp/1/model.onnx");

  @TempDir Path repo;
  private ModelManager manager;
  private FolderPoller poller;

  @BeforeEach
  void open() throws Exception {
    addVersion("tiny_mlp", 1);
    LocalModelRepository folder = LocalModelRepository.open(repo);
    manager = new ModelManager(folder, LifecycleConfig.ofDefaults(),
        BackendRegistry.of(new OnnxBackendProvider()), new SimpleMeterRegistry(),
        Clock.systemUTC(), Ticker.SYSTEM, Executors.newSingleThreadExecutor(),
        Duration.ofSeconds(30));
    manager.loadAll().join();
    poller = new FolderPoller(folder, manager, Executors.newSingleThreadScheduledExecutor(),
        Duration.ofHours(1));
    poller.poll(false);
  }

  @AfterEach
  void close() {
    poller.close();
    manager.close();
  }

  private void addVersion(String model, int version) throws IOException {
    Path dir = Files.createDirectories(repo.resolve(model).resolve(Integer.toString(version)));
    Files.copy(MODEL, dir.resolve("model.onnx"));
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Test
  void aNewVersionFolderIsServedAndItsRemovalFallsBackToThePreviousOne() throws Exception {
    addVersion("tiny_mlp", 2);
    poller.poll(true);
    assertThat(manager.ready("tiny_mlp", "").version()).isEqualTo(2);

    delete(repo.resolve("tiny_mlp/2"));
    poller.poll(true);
    assertThat(manager.ready("tiny_mlp", "").version()).isEqualTo(1);
  }

  @Test
  void aNewModelIsLoadedAndARemovedOneUnloaded() throws Exception {
    addVersion("other", 1);
    poller.poll(true);
    assertThat(manager.record("other").isFullyReady()).isTrue();

    delete(repo.resolve("other"));
    poller.poll(true);
    assertThat(manager.record("other").wanted()).isFalse();
    assertThat(manager.record("tiny_mlp").isFullyReady()).isTrue();
  }

  @Test
  void aPollWithNothingChangedLoadsNothing() {
    var before = manager.ready("tiny_mlp", "");
    poller.poll(true);
    assertThat(manager.ready("tiny_mlp", "")).isSameAs(before);
  }
}
