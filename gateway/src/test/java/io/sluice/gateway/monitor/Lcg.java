package io.sluice.gateway.monitor;

import com.fasterxml.jackson.databind.JsonNode;

/** The fixtures' generator (scripts/drift_fixtures.py): exact doubles in Java and Python. */
final class Lcg {
  private long state;

  Lcg(long seed) {
    this.state = seed;
  }

  double nextDouble() {
    state = state * 6364136223846793005L + 1442695040888963407L;
    return (state >>> 11) * 0x1.0p-53;
  }

  double normal() {
    double s = 0;
    for (int i = 0; i < 12; i++) {
      s += nextDouble();
    }
    return s - 6.0;
  }

  /** The sample a fixture's {n, seed, mu, sigma[, floor_tenths]} describes. */
  static double[] sample(JsonNode spec) {
    Lcg g = new Lcg(spec.get("seed").asLong());
    int n = spec.get("n").asInt();
    double mu = spec.get("mu").asDouble();
    double sigma = spec.get("sigma").asDouble();
    boolean floor = spec.path("floor_tenths").asBoolean(false);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      double x = mu + sigma * g.normal();
      out[i] = floor ? Math.floor(x * 10.0) / 10.0 : x;
    }
    return out;
  }
}
