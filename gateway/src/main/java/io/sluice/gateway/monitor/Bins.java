package io.sluice.gateway.monitor;

/**
 * Right-closed bins over sorted edges: {@code (-inf, e0], (e0, e1], …, (e_last, +inf)}, so a value
 * equal to an edge falls in the lower bin, as scipy's ECDF ({@code <=}) and Prometheus' {@code le}
 * count it.
 */
final class Bins {
  private Bins() {}

  /** The number of edges strictly below {@code value}: its bin. NaN is not asked for. */
  static int index(double[] edges, double value) {
    int lo = 0;
    int hi = edges.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (edges[mid] < value) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
