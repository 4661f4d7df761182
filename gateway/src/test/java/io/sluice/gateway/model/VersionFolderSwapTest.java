package io.sluice.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.gateway.request.RequestContext;
import io.sluice.registry.LocalModelRepository;
import io.sluice.runtime.Backend;
import io.sluice.runtime.BackendOptions;
import io.sluice.runtime.BackendProvider;
import io.sluice.runtime.Ticker;
import io.sluice.runtime.onnx.OnnxBackendProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model whose version folders change (Triton's latest-one policy: a new folder takes over, a
 * removed one hands back): while the next version loads, the one serving keeps answering.
 */
class VersionFolderSwapTest {
  @TempDir Path repo;

  private final GatedOpen engine = new GatedOpen(new OnnxBackendProvider());
  private ModelManager manager;

  @BeforeEach
  void start() throws Exception {
    copy(Path.of("../examples/model_repository/tiny_mlp/1"), repo.resolve("tiny_mlp/1"));
    manager =
        new ModelManager(
            LocalModelRepository.open(repo),
            LifecycleConfig.ofDefaults(),
            BackendRegistry.of(engine),
            new SimpleMeterRegistry(),
            Clock.systemUTC(),
            Ticker.SYSTEM,
            Executors.newSingleThreadExecutor(),
            Duration.ofSeconds(30));
    manager.loadAll().join();
  }

  @AfterEach
  void stop() {
    engine.open();
    manager.close();
  }

  @Test
  void anAddedVersionFolderLoadsWhileTheServingVersionKeepsAnswering() throws Exception {
    copy(repo.resolve("tiny_mlp/1"), repo.resolve("tiny_mlp/2"));

    CompletableFuture<Void> load = engine.whileHeld(() -> manager.load("tiny_mlp", Optional.empty()),
        () -> assertThat(servedVersion()).isEqualTo(1));
    load.get(30, TimeUnit.SECONDS);

    assertThat(servedVersion()).isEqualTo(2);
    assertThat(manager.record("tiny_mlp").versions().keySet()).containsExactly(2L);
  }

  @Test
  void aRemovedVersionFolderKeepsAnsweringUntilTheOneBelowIsLoaded() throws Exception {
    copy(repo.resolve("tiny_mlp/1"), repo.resolve("tiny_mlp/2"));
    manager.load("tiny_mlp", Optional.empty()).get(30, TimeUnit.SECONDS);
    delete(repo.resolve("tiny_mlp/2"));

    CompletableFuture<Void> load = engine.whileHeld(() -> manager.load("tiny_mlp", Optional.empty()),
        () -> assertThat(servedVersion()).isEqualTo(2));
    load.get(30, TimeUnit.SECONDS);

    assertThat(servedVersion()).isEqualTo(1);
    assertThat(manager.record("tiny_mlp").versions().keySet()).containsExactly(1L);
  }

  private long servedVersion() {
    Selection s = manager.acquire("tiny_mlp", "", RequestContext.NONE);
    s.primary().release();
    return s.primary().version();
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }

  /** A real engine whose next open can be held, so a test acts while a version is loading. */
  private static final class GatedOpen implements BackendProvider {
    private final BackendProvider real;
    private volatile CountDownLatch entered = new CountDownLatch(0);
    private volatile CountDownLatch gate = new CountDownLatch(0);

    GatedOpen(BackendProvider real) {
      this.real = real;
    }

    /** Starts {@code action} with the next open held, runs {@code meanwhile}, then lets it go. */
    CompletableFuture<Void> whileHeld(java.util.function.Supplier<CompletableFuture<Void>> action,
        Runnable meanwhile) throws InterruptedException {
      entered = new CountDownLatch(1);
      gate = new CountDownLatch(1);
      CompletableFuture<Void> f = action.get();
      assertThat(entered.await(30, TimeUnit.SECONDS)).as("an open began").isTrue();
      try {
        meanwhile.run();
      } finally {
        open();
      }
      return f;
    }

    void open() {
      gate.countDown();
    }

    @Override
    public String platform() {
      return real.platform();
    }

    @Override
    public String backend() {
      return real.backend();
    }

    @Override
    public String defaultModelFilename() {
      return real.defaultModelFilename();
    }

    @Override
    public Backend open(Path modelFile, BackendOptions options) {
      entered.countDown();
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return real.open(modelFile, options);
    }
  }
}
