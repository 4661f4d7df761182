package io.sluice.loadtest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One input tensor as raw little-endian bytes (the form both gRPC {@code raw_input_contents} and
 * the HTTP binary extension carry). FP32 inputs hold seeded values in [-1, 1); other types are
 * zeros.
 */
record InferPayload(String model, String inputName, String datatype, long[] shape, byte[] bytes) {

  static InferPayload of(String model, String inputName, String datatype, long[] shape, long seed) {
    int elementSize = elementSize(datatype);
    long elements = 1;
    for (long d : shape) {
      if (d < 1) {
        throw new IllegalArgumentException(
            "input shape " + Arrays.toString(shape) + " (expected: every dimension >= 1)");
      }
      elements = Math.multiplyExact(elements, d);
    }
    byte[] bytes = new byte[Math.toIntExact(elements * elementSize)];
    if (datatype.equals("FP32")) {
      ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      SplittableRandom random = new SplittableRandom(seed);
      for (long i = 0; i < elements; i++) {
        buf.putFloat((float) (random.nextDouble() * 2 - 1));
      }
    }
    return new InferPayload(model, inputName, datatype, shape.clone(), bytes);
  }

  static int elementSize(String datatype) {
    switch (datatype) {
      case "BOOL":
      case "INT8":
      case "UINT8":
        return 1;
      case "INT16":
      case "UINT16":
      case "FP16":
      case "BF16":
        return 2;
      case "INT32":
      case "UINT32":
      case "FP32":
        return 4;
      case "INT64":
      case "UINT64":
      case "FP64":
        return 8;
      default:
        throw new IllegalArgumentException(
            "datatype: " + datatype + " (expected: a fixed-size V2 type such as FP32 or INT64)");
    }
  }

  /** Parses {@code "1,32"} into {@code [1, 32]}. */
  static long[] parseShape(String text) {
    String[] parts = text.split(",");
    long[] shape = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      shape[i] = Long.parseLong(parts[i].trim());
    }
    return shape;
  }
}
