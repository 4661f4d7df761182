package io.sluice.bench;

import io.sluice.runtime.DataType;
import io.sluice.runtime.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The tensors the benchmarks feed in, built once per trial from a fixed seed, so every run of a
 * benchmark reads the same bytes. Public because the codec benchmarks live in the gateway's
 * packages to reach its package-private codecs.
 */
public final class BenchTensors {
  /** The codec payloads: the tiny MLP's input at batch 1 and 64, and a batch of 8 strings. */
  public static final String FP32_1X32 = "fp32_1x32";
  public static final String FP32_64X32 = "fp32_64x32";
  public static final String BYTES_8X1 = "bytes_8x1";

  private BenchTensors() {}

  /** Seeded uniform floats in [-1, 1) in a little-endian buffer, direct or heap. */
  public static Tensor randomFp32(String name, long[] shape, long seed, boolean direct) {
    int count = Math.toIntExact(Tensor.elementCount(shape));
    ByteBuffer data =
        (direct ? ByteBuffer.allocateDirect(count * 4) : ByteBuffer.allocate(count * 4))
            .order(ByteOrder.LITTLE_ENDIAN);
    Random random = new Random(seed);
    for (int i = 0; i < count; i++) {
      data.putFloat(random.nextFloat() * 2 - 1);
    }
    data.flip();
    return Tensor.of(name, DataType.FP32, shape, data);
  }

  /**
   * The named codec payload as a heap tensor: FP32 {@code input} [1, 32] or [64, 32] (the tiny
   * MLP's input), or BYTES {@code text} [8, 1] of short UTF-8 strings (the category encoder's).
   */
  public static Tensor payload(String payload) {
    switch (payload) {
      case FP32_1X32:
        return randomFp32("input", new long[] {1, 32}, 1, false);
      case FP32_64X32:
        return randomFp32("input", new long[] {64, 32}, 64, false);
      case BYTES_8X1:
        List<String> words = new ArrayList<>();
        String[] colours = {"red", "green", "blue", "amber", "violet", "teal", "ochre", "grey"};
        for (int i = 0; i < colours.length; i++) {
          words.add(colours[i] + " item " + i);
        }
        return Tensor.ofStrings("text", new long[] {8, 1}, words);
      default:
        throw new IllegalArgumentException(
            "payload: '" + payload + "' (expected: " + FP32_1X32 + ", " + FP32_64X32 + " or "
                + BYTES_8X1 + ")");
    }
  }
}
