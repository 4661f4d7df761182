package io.sluice.gateway.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty's leak detector, recording each leak instead of only logging it, so a test can fail on
 * one. The fuzz run installs it for every resource type with {@code
 * -Dio.netty.customResourceLeakDetector=io.sluice.gateway.fuzz.LeakRecorder} and {@code
 * -Dio.netty.leakDetection.level=paranoid} (every buffer tracked), set before any Netty class
 * loads (the surefire execution {@code fuzz} in gateway's pom).
 */
public final class LeakRecorder<T> extends ResourceLeakDetector<T> {
  private static final List<String> LEAKS = new ArrayList<>();

  public LeakRecorder(Class<?> resourceType, int samplingInterval) {
    super(resourceType, samplingInterval);
  }

  public LeakRecorder(Class<?> resourceType, int samplingInterval, long maxActive) {
    this(resourceType, samplingInterval);
  }

  /** Whether this JVM runs with this recorder at the paranoid level. */
  public static boolean installed() {
    return LeakRecorder.class.getName().equals(System.getProperty(
            "io.netty.customResourceLeakDetector"))
        && ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID;
  }

  @Override
  protected boolean needReport() {
    return true;
  }

  @Override
  protected void reportTracedLeak(String resourceType, String records) {
    record(resourceType + " leaked:" + records);
  }

  @Override
  protected void reportUntracedLeak(String resourceType) {
    record(resourceType + " leaked (no records)");
  }

  private static void record(String leak) {
    synchronized (LEAKS) {
      LEAKS.add(leak);
    }
  }

  /**
   * Collects garbage, lets the detectors poll what was collected unreleased, and returns (and
   * forgets) every leak recorded so far.
   */
  public static List<String> collect() {
    for (int round = 0; round < 3; round++) {
      System.gc();
      System.runFinalization();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      // A detector reports what the collector queued when it next tracks a resource.
      for (int i = 0; i < 32; i++) {
        ByteBuf heap = UnpooledByteBufAllocator.DEFAULT.heapBuffer(8);
        ByteBuf direct = UnpooledByteBufAllocator.DEFAULT.directBuffer(8);
        ByteBuf pooled = PooledByteBufAllocator.DEFAULT.buffer(8);
        heap.release();
        direct.release();
        pooled.release();
      }
    }
    synchronized (LEAKS) {
      List<String> out = new ArrayList<>(LEAKS);
      LEAKS.clear();
      return out;
    }
  }
}
