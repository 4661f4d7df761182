package io.sluice.runtime.tensorflow;

import io.sluice.runtime.Status;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Owns the native objects of one backend call (input tensors, the run's {@code Result}) and
 * closes them, in reverse order, in one place: the try-with-resources around the call. It also
 * keeps the process-wide count of open TensorFlow objects, saved-model bundles included, so tests
 * can end by checking that nothing is left over, as the ONNX Runtime backend's tests do.
 */
final class NativeScope implements AutoCloseable {
  private static final AtomicInteger OPEN = new AtomicInteger();

  private final ArrayList<AutoCloseable> owned = new ArrayList<>(4);

  /** Takes ownership of {@code resource} until this scope closes. */
  <T extends AutoCloseable> T add(T resource) {
    owned.add(resource);
    OPEN.incrementAndGet();
    return resource;
  }

  /** Counts a long-lived native object (a bundle) opened outside any scope. */
  static void opened() {
    OPEN.incrementAndGet();
  }

  /** Counts a long-lived native object as closed. */
  static void closed() {
    OPEN.decrementAndGet();
  }

  /** Native objects opened and not yet closed, in this process. */
  static int openCount() {
    return OPEN.get();
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (Exception e) {
        if (failure == null) {
          failure = Status.internal("cannot release a native TensorFlow object: " + e)
              .withCause(e).asException();
        }
      } finally {
        OPEN.decrementAndGet();
      }
    }
    owned.clear();
    if (failure != null) {
      throw failure;
    }
  }
}
