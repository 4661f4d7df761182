package io.sluice.gateway;

import io.sluice.runtime.Backend;
import io.sluice.runtime.BackendOptions;
import io.sluice.runtime.BackendProvider;
import io.sluice.runtime.ModelSignature;
import io.sluice.runtime.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real engine whose next run can be held at a gate: the test sees the run begin, and decides
 * when it may go on. Every instance it opens shares the gate.
 */
final class HoldingProvider implements BackendProvider {
  private final BackendProvider real;
  private final AtomicReference<CountDownLatch> release = new AtomicReference<>();
  private volatile CountDownLatch held = new CountDownLatch(1);
  private volatile CountDownLatch last = new CountDownLatch(0);

  HoldingProvider(BackendProvider real) {
    this.real = real;
  }

  /** The next run waits for the returned latch. */
  CountDownLatch holdNextRun() {
    held = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    release.set(gate);
    last = gate;
    return gate;
  }

  /** Waits until a held run has begun. */
  void awaitHeld() throws InterruptedException {
    if (!held.await(30, TimeUnit.SECONDS)) {
      throw new AssertionError("no run reached the gate within 30 s");
    }
  }

  /** Lets every held run go (a test's cleanup). */
  void releaseAll() {
    release.set(null);
    last.countDown();
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
    Backend engine = real.open(modelFile, options);
    return new Backend() {
      @Override
      public ModelSignature signature() {
        return engine.signature();
      }

      @Override
      public List<Tensor> run(List<Tensor> inputs, Set<String> outputs) {
        CountDownLatch gate = release.getAndSet(null);
        if (gate != null) {
          held.countDown();
          try {
            gate.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return engine.run(inputs, outputs);
      }

      @Override
      public void close() {
        engine.close();
      }
    };
  }
}
