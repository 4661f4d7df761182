package io.sluice.gateway.monitor;

/** numpy's np.std (ddof 0), summed as numpy's pairwise sum would be close to. */
final class ProfileBuilderTestSupport {
  private ProfileBuilderTestSupport() {}

  static double populationStd(double[] x) {
    double mean = 0;
    for (double v : x) {
      mean += v;
    }
    mean /= x.length;
    double s = 0;
    for (double v : x) {
      s += (v - mean) * (v - mean);
    }
    return Math.sqrt(s / x.length);
  }
}
