package io.sluice.loadtest;

import java.util.Locale;

/** One human-readable line per window, for the console. */
final class Summary {
  private Summary() {}

  static String line(String transport, WindowResult r) {
    Latency l = r.latencyUs();
    String load =
        r.mode().equals("open")
            ? String.format(Locale.ROOT, "offered %.1f/s", r.offeredRate())
            : "closed c=" + r.concurrency();
    return String.format(
        Locale.ROOT,
        "[%s] %s %s: %.1f/s, p50 %.0f µs, p99 %.0f µs, p99.9 %.0f µs, max %.0f µs, errors %d%s,"
            + " client cpu %.0f%%%s%s",
        r.label(),
        transport,
        load,
        r.throughputRps(),
        l.p50(),
        l.p99(),
        l.p999(),
        l.max(),
        r.errorCount(),
        r.errors().isEmpty() ? "" : " " + r.errors()
            + (r.errorLatencyUs().count() == 0
                ? ""
                : String.format(Locale.ROOT, " (answered in p99 %.0f µs)", r.errorLatencyUs().p99())),
        100 * r.clientCpuUtil(),
        r.serverCpuUsPerRequest() == null
            ? ""
            : String.format(Locale.ROOT, ", server %.1f cpu-µs/req", r.serverCpuUsPerRequest()),
        r.meanBatchSize() == null
            ? ""
            : String.format(Locale.ROOT, ", mean batch %.2f", r.meanBatchSize()));
  }
}
