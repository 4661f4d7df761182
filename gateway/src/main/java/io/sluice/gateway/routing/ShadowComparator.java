package io.sluice.gateway.routing;

import io.sluice.gateway.routing.TrafficPolicy.Comparison;
import io.sluice.runtime.DataType;
import io.sluice.runtime.Tensor;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Scores a shadow's outputs against the primary's for the same request. Every output the
 * primary produced must be in the shadow's answer with the same type and shape. Floating-point
 * outputs are compared by argmax per row (the last dimension, for a classifier's scores) or
 * element by element within the tolerances, as the {@link Comparison} says; integer, boolean and
 * string outputs must be equal byte for byte. The largest absolute difference of the float
 * outputs is reported either way.
 */
final class ShadowComparator {
  /** @param maxAbsDiff the largest absolute difference of any float element, 0 when none */
  record Result(boolean agree, double maxAbsDiff) {}

  private ShadowComparator() {}

  static Result compare(List<Tensor> primary, List<Tensor> shadow, Comparison c) {
    boolean agree = true;
    double maxDiff = 0;
    for (Tensor p : primary) {
      Tensor s = find(shadow, p.name());
      if (s == null || s.type() != p.type() || !Arrays.equals(s.shape(), p.shape())) {
        agree = false;
        continue;
      }
      if (!isFloat(p.type())) {
        agree &= p.data().equals(s.data());
        continue;
      }
      double[] a = doubles(p);
      double[] b = doubles(s);
      for (int i = 0; i < a.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      }
      long last = p.rank() == 0 ? 1 : p.dim(p.rank() - 1);
      boolean argmax = c.mode() == Comparison.Mode.ARGMAX
          || (c.mode() == Comparison.Mode.AUTO && last > 1);
      agree &= argmax ? sameArgmax(a, b, (int) Math.max(1, last)) : within(a, b, c);
    }
    return new Result(agree, maxDiff);
  }

  private static boolean sameArgmax(double[] a, double[] b, int row) {
    for (int start = 0; start + row <= a.length; start += row) {
      if (argmax(a, start, row) != argmax(b, start, row)) {
        return false;
      }
    }
    return true;
  }

  private static int argmax(double[] v, int start, int n) {
    int best = start;
    for (int i = start + 1; i < start + n; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }

  private static boolean within(double[] a, double[] b, Comparison c) {
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs(a[i] - b[i]);
      if (!(d <= c.absTolerance() || d <= c.relTolerance() * Math.abs(a[i]))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isFloat(DataType t) {
    return t == DataType.FP32 || t == DataType.FP64;
  }

  private static double[] doubles(Tensor t) {
    ByteBuffer b = t.data();
    double[] out = new double[(int) t.elementCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = t.type() == DataType.FP32 ? b.getFloat(i * 4) : b.getDouble(i * 8);
    }
    return out;
  }

  private static Tensor find(List<Tensor> tensors, String name) {
    for (Tensor t : tensors) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }
}
