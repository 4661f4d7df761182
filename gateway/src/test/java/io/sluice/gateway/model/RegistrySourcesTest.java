package io.sluice.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.gateway.request.RequestContext;
import io.sluice.registry.DeclaredSignature;
import io.sluice.registry.ModelRepository;
import io.sluice.registry.ModelSource;
import io.sluice.registry.RepositoryException;
import io.sluice.registry.VersionSource;
import io.sluice.runtime.Backend;
import io.sluice.runtime.BackendOptions;
import io.sluice.runtime.BackendProvider;
import io.sluice.runtime.ModelSignature;
import io.sluice.runtime.Tensor;
import io.sluice.runtime.Ticker;
import io.sluice.runtime.onnx.OnnxBackendProvider;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The manager under a registry's sources (immutable versions, a serve order, a declared
 * signature), with real ONNX Runtime sessions counted as they open and close.
 */
class RegistrySourcesTest {
  private static final Path DIR = Path.of("../examples/model_repository/tiny_mlp/1")
      .toAbsolutePath().normalize();
  private static final DeclaredSignature WRONG = new DeclaredSignature(
      List.of(new DeclaredSignature.Tensor(Optional.of("input"), "int64", new long[] {-1, 32})),
      List.of());

  private final CountingProvider engine = new CountingProvider(new OnnxBackendProvider());
  private volatile ModelSource source;
  private ModelManager manager;

  private static VersionSource version(long v, Optional<DeclaredSignature> declared) {
    return new VersionSource(v, DIR, DIR.resolve("model.onnx"), Optional.empty(),
        Optional.empty(), declared, true);
  }

  private void publish(List<VersionSource> versions, List<Long> serveOrder) {
    source = new ModelSource("fraud", DIR, Optional.empty(), versions, serveOrder);
    manager.load("fraud", Optional.empty()).handle((ok, e) -> null).join();
  }

  private ModelManager open() {
    ModelRepository repo = new ModelRepository() {
      @Override
      public List<String> modelNames() {
        return List.of("fraud");
      }

      @Override
      public ModelSource resolve(String name) throws RepositoryException {
        return source;
      }
    };
    manager = new ModelManager(repo, LifecycleConfig.ofDefaults(), BackendRegistry.of(engine),
        new SimpleMeterRegistry(), Clock.systemUTC(), Ticker.SYSTEM,
        Executors.newSingleThreadExecutor(), Duration.ofSeconds(30));
    return manager;
  }

  @AfterEach
  void close() {
    if (manager != null) {
      manager.close();
    }
  }

  /** The version a request naming none is admitted by, its lease released at once. */
  private long served() {
    LoadedVersion v = manager.acquire("fraud", "", RequestContext.NONE).primary();
    v.release();
    return v.version();
  }

  @Test
  void requestsNamingNoVersionGoToTheFirstReadyOfTheServeOrderNotTheHighest() {
    open();
    publish(List.of(version(3, Optional.empty()), version(7, Optional.empty())), List.of(3L, 7L));

    assertThat(manager.ready("fraud", "").version()).isEqualTo(3);
    assertThat(manager.ready("fraud", "7").version()).isEqualTo(7);
  }

  @Test
  void aVersionWhoseGraphDoesNotMatchItsSignatureFailsAndTheOneBeforeItServes() {
    open();
    publish(List.of(version(1, Optional.empty())), List.of(1L));
    publish(List.of(version(1, Optional.empty()), version(2, Optional.of(WRONG))),
        List.of(2L, 1L));

    VersionEntry two = manager.record("fraud").versions().get(2L);
    assertThat(two.state()).isEqualTo(VersionState.FAILED);
    assertThat(two.reason()).contains("does not match the registry's signature");
    assertThat(manager.ready("fraud", "").version()).isEqualTo(1);
    assertThat(manager.allWantedReady()).isTrue();
    assertThat(engine.open.get() - engine.closed.get()).isEqualTo(1);
  }

  @Test
  void aVersionAlreadyServingIsKeptNotReopened() {
    open();
    publish(List.of(version(1, Optional.empty())), List.of(1L));
    LoadedVersion first = manager.ready("fraud", "1");

    publish(List.of(version(1, Optional.empty()), version(2, Optional.empty())),
        List.of(2L, 1L));

    assertThat(manager.ready("fraud", "1")).isSameAs(first);
    assertThat(engine.open.get()).isEqualTo(2);
  }

  @Test
  void aHundredChampionMovesCloseEveryEngineTheyOpen() {
    open();
    publish(List.of(version(1, Optional.empty())), List.of(1L));
    for (int i = 0; i < 100; i++) {
      long from = i % 2 == 0 ? 1 : 2;
      long to = 3 - from;
      // Load beside, then drop the old one: the follower's two steps.
      publish(List.of(version(from, Optional.empty()), version(to, Optional.empty())),
          List.of(to, from));
      assertThat(served()).isEqualTo(to);
      publish(List.of(version(to, Optional.empty())), List.of(to));
    }

    assertThat(engine.open.get()).isEqualTo(101);
    assertThat(engine.closed.get()).isEqualTo(100);
    assertThat(manager.record("fraud").versions().keySet()).containsExactly(1L);
  }

  /** Counts the engines it opens and closes: every one opened must be closed once retired. */
  private static final class CountingProvider implements BackendProvider {
    private final BackendProvider real;
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();

    CountingProvider(BackendProvider real) {
      this.real = real;
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
      Backend b = real.open(modelFile, options);
      open.incrementAndGet();
      return new Backend() {
        @Override
        public ModelSignature signature() {
          return b.signature();
        }

        @Override
        public List<Tensor> run(List<Tensor> inputs, Set<String> outputs) {
          return b.run(inputs, outputs);
        }

        @Override
        public void close() {
          closed.incrementAndGet();
          b.close();
        }
      };
    }
  }
}
