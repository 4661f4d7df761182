package io.sluice.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Direct buffers for engine inputs, reused across executions: a scheduler's batch inputs, or an
 * engine's staging copies of heap inputs (ONNX Runtime reads only direct memory). Buffers are
 * kept by capacity class (powers of two from 4 KiB), a few per class, so a steady load of similar
 * batches allocates nothing after warm-up, and an odd large batch does not pin its memory for
 * long: buffers above {@link #MAX_POOLED_BYTES} are allocated exactly and dropped on release.
 * Each pool has one owner (a scheduler's batch assembler, an engine's backend), which leases a
 * buffer for one execution and releases it in one place after the engine has run; {@link
 * #leased()} lets tests check that nothing is left over.
 */
public final class BufferPool {
  static final int MIN_CLASS_BYTES = 4096;
  static final int MAX_POOLED_BYTES = 64 << 20;

  private static final int MIN_SHIFT = Integer.numberOfTrailingZeros(MIN_CLASS_BYTES);
  private static final int MAX_SHIFT = Integer.numberOfTrailingZeros(MAX_POOLED_BYTES);

  private final int perClass;
  // @GuardedBy("this")
  private final List<ArrayDeque<ByteBuffer>> free;
  // @GuardedBy("this")
  private int leased;

  /** @param perClass buffers kept per capacity class; the scheduler passes its instance count */
  public BufferPool(int perClass) {
    if (perClass < 1) {
      throw new IllegalArgumentException("perClass: " + perClass + " (expected: > 0)");
    }
    this.perClass = perClass;
    this.free = new ArrayList<>(MAX_SHIFT - MIN_SHIFT + 1);
    for (int i = 0; i <= MAX_SHIFT - MIN_SHIFT; i++) {
      free.add(new ArrayDeque<>());
    }
  }

  /** A cleared little-endian direct buffer with position 0 and limit {@code bytes}. */
  public ByteBuffer acquire(int bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes: " + bytes + " (expected: >= 0)");
    }
    int cls = classOf(bytes);
    ByteBuffer b = null;
    synchronized (this) {
      leased++;
      if (cls >= 0) {
        b = free.get(cls).pollFirst();
      }
    }
    if (b == null) {
      b = ByteBuffer.allocateDirect(cls >= 0 ? 1 << (cls + MIN_SHIFT) : bytes);
    }
    b.clear().limit(bytes);
    return b.order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Gives back a buffer from {@link #acquire}; it must no longer be read or written. */
  public void release(ByteBuffer b) {
    int cls = exactClassOf(b.capacity());
    synchronized (this) {
      leased--;
      if (cls >= 0 && free.get(cls).size() < perClass) {
        free.get(cls).addFirst(b);
      }
    }
  }

  /** Buffers acquired and not yet released. */
  public synchronized int leased() {
    return leased;
  }

  /** Buffers waiting for reuse. */
  public synchronized int pooled() {
    int n = 0;
    for (ArrayDeque<ByteBuffer> q : free) {
      n += q.size();
    }
    return n;
  }

  private static int classOf(int bytes) {
    if (bytes > MAX_POOLED_BYTES) {
      return -1;
    }
    int shift = bytes <= MIN_CLASS_BYTES ? MIN_SHIFT : 32 - Integer.numberOfLeadingZeros(bytes - 1);
    return shift - MIN_SHIFT;
  }

  private static int exactClassOf(int capacity) {
    if (capacity < MIN_CLASS_BYTES
        || capacity > MAX_POOLED_BYTES
        || Integer.bitCount(capacity) != 1) {
      return -1;
    }
    return Integer.numberOfTrailingZeros(capacity) - MIN_SHIFT;
  }
}
