package io.sluice.gateway.core;

import io.sluice.runtime.DataType;
import io.sluice.runtime.Status;
import io.sluice.runtime.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Triton's classification extension: turns an output of scores into its top-k entries per batch
 * item, as BYTES {@code "value:index"} or {@code "value:index:label"} in descending order of
 * value (ties by lower index). The value is printed with six decimals, as Triton prints it.
 */
final class Classification {
  private Classification() {}

  static Tensor topK(Tensor scores, int k, boolean batched, List<String> labels) {
    long[] shape = scores.shape();
    int items = batched ? Math.toIntExact(shape.length == 0 ? 1 : shape[0]) : 1;
    long total = scores.elementCount();
    if (items == 0 || total % items != 0) {
      throw Status.invalidArgument("cannot classify output '" + scores.name() + "'").asException();
    }
    int classes = Math.toIntExact(total / items);
    int kk = Math.min(k, classes);
    double[] values = new double[classes];
    List<String> out = new ArrayList<>(items * kk);
    ByteBuffer data = scores.data();
    for (int item = 0; item < items; item++) {
      for (int c = 0; c < classes; c++) {
        values[c] = read(data, scores.type(), item * classes + c, scores.name());
      }
      Integer[] order = new Integer[classes];
      for (int c = 0; c < classes; c++) {
        order[c] = c;
      }
      Arrays.sort(order, (a, b) -> {
        int cmp = Double.compare(values[b], values[a]);
        return cmp != 0 ? cmp : Integer.compare(a, b);
      });
      for (int j = 0; j < kk; j++) {
        int idx = order[j];
        String entry = String.format(Locale.ROOT, "%f:%d", values[idx], idx);
        if (idx < labels.size()) {
          entry += ":" + labels.get(idx);
        }
        out.add(entry);
      }
    }
    long[] outShape = batched ? new long[] {items, kk} : new long[] {kk};
    return Tensor.ofStrings(scores.name(), outShape, out);
  }

  private static double read(ByteBuffer b, DataType type, int i, String name) {
    switch (type) {
      case FP32:
        return b.getFloat(i * 4);
      case FP64:
        return b.getDouble(i * 8);
      case INT64:
        return b.getLong(i * 8);
      case INT32:
        return b.getInt(i * 4);
      case INT16:
        return b.getShort(i * 2);
      case INT8:
        return b.get(i);
      case UINT8:
      case BOOL:
        return b.get(i) & 0xff;
      case UINT16:
        return b.getShort(i * 2) & 0xffff;
      case UINT32:
        return b.getInt(i * 4) & 0xffffffffL;
      default:
        throw Status.invalidArgument(
                "output '" + name + "' of type " + type + " cannot be classified")
            .asException();
    }
  }
}
