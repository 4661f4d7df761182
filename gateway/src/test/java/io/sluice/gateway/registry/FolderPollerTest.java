package io.sluice.gateway.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.gateway.ManualClock;
import io.sluice.gateway.model.BackendRegistry;
import io.sluice.gateway.model.LifecycleConfig;
import io.sluice.gateway.model.ModelManager;
import io.sluice.registry.LocalModelRepository;
import io.sluice.registry.ModelRepository;
import io.sluice.registry.ModelSource;
import io.sluice.registry.RepositoryException;
import io.sluice.runtime.Ticker;
import io.sluice.runtime.onnx.OnnxBackendProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private FailingRepository folder;
  private ModelManager manager;
  private FolderPoller poller;

  @BeforeEach
  void open() throws Exception {
    addVersion("tiny_mlp", 1);
    folder = new FailingRepository(LocalModelRepository.open(repo));
    manager = new ModelManager(folder, LifecycleConfig.ofDefaults(),
        BackendRegistry.of(new OnnxBackendProvider()), new SimpleMeterRegistry(),
        Clock.systemUTC(), Ticker.SYSTEM, Executors.newSingleThreadExecutor(),
        Duration.ofSeconds(30));
    manager.loadAll().join();
    poller = new FolderPoller(folder, manager, Executors.newSingleThreadScheduledExecutor(),
        Duration.ofSeconds(15), clock, meters);
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

  private double stale(String model) {
    return meters.get("sluice_registry_stale_seconds").tags("model", model, "source", "folder")
        .gauge().value();
  }

  private double errors(String model) {
    return meters.get("sluice_registry_poll_errors").tags("model", model, "source", "folder")
        .counter().count();
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

  @Test
  void aFolderReadAtEveryPollIsFreshAndTheIntervalIsExported() {
    clock.advance(Duration.ofSeconds(15));
    poller.poll(true);
    assertThat(stale("tiny_mlp")).isZero();
    assertThat(errors("tiny_mlp")).isZero();
    assertThat(meters.get("sluice_registry_poll_interval_seconds").tags("source", "folder")
        .gauge().value()).isEqualTo(15.0);
  }

  @Test
  void aRepositoryThatCannotBeListedMakesEveryModelStaleUntilItCanAgain() {
    clock.advance(Duration.ofSeconds(15));
    folder.listing = false;
    poller.poll(true);
    assertThat(errors("tiny_mlp")).isEqualTo(1);
    assertThat(stale("tiny_mlp")).isEqualTo(15.0); // since the poll that last read it

    clock.advance(Duration.ofSeconds(15));
    poller.poll(true);
    assertThat(errors("tiny_mlp")).isEqualTo(2);
    assertThat(stale("tiny_mlp")).isEqualTo(30.0);
    // the last good version serves on, and was not unloaded for want of a listing
    assertThat(manager.record("tiny_mlp").isFullyReady()).isTrue();

    clock.advance(Duration.ofSeconds(15));
    folder.listing = true;
    poller.poll(true);
    assertThat(stale("tiny_mlp")).isZero();
    assertThat(errors("tiny_mlp")).isEqualTo(2);
  }

  @Test
  void aModelWhoseFolderCannotBeReadIsStaleAlone() throws Exception {
    addVersion("other", 1);
    poller.poll(true);
    clock.advance(Duration.ofSeconds(15));
    folder.unreadable.add("other");
    poller.poll(true);
    assertThat(stale("other")).isEqualTo(15.0);
    assertThat(errors("other")).isEqualTo(1);
    assertThat(stale("tiny_mlp")).isZero();
    assertThat(errors("tiny_mlp")).isZero();
  }

  @Test
  void aRemovedModelsSeriesGoWithIt() throws Exception {
    addVersion("other", 1);
    poller.poll(true);
    assertThat(meters.find("sluice_registry_stale_seconds").tag("model", "other").gauge())
        .isNotNull();

    delete(repo.resolve("other"));
    poller.poll(true);
    assertThat(meters.find("sluice_registry_stale_seconds").tag("model", "other").gauge())
        .isNull();
    assertThat(meters.find("sluice_registry_poll_errors").tag("model", "other").counter())
        .isNull();
  }

  /** The real folder, with a listing that can be switched off and folders made unreadable. */
  private static final class FailingRepository implements ModelRepository {
    private final ModelRepository real;
    volatile boolean listing = true;
    final Set<String> unreadable = new HashSet<>();

    FailingRepository(ModelRepository real) {
      this.real = real;
    }

    @Override
    public List<String> modelNames() throws RepositoryException {
      if (!listing) {
        throw new RepositoryException(RepositoryException.Kind.IO, "the folder is gone");
      }
      return real.modelNames();
    }

    @Override
    public ModelSource resolve(String modelName) throws RepositoryException {
      if (unreadable.contains(modelName)) {
        throw new RepositoryException(RepositoryException.Kind.IO, "permission denied");
      }
      return real.resolve(modelName);
    }
  }
}
