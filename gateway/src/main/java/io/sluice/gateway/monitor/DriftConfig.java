package io.sluice.gateway.monitor;

import java.net.URI;
import java.nio.file.Path;

/**
 * The drift monitor's settings, validated once (rows of the gateway's {@code Setting} table).
 *
 * @param enabled whether inferences are monitored at all
 * @param windowRows rows per window (0: by time only); each row of a batched request is one row
 * @param windowSeconds seconds per window (0: by rows only); when both are set the first reached
 *     closes the window
 * @param slideRows for a sliding window by rows, how many rows it moves by (0: tumbling)
 * @param slideSeconds for a sliding window by time, how many seconds it moves by (0: tumbling)
 * @param minWindowRows a distance (Wasserstein, JS, PSI) never flags drift on fewer rows
 * @param pValueThreshold drift when a test's p-value is below it (KS: at or below)
 * @param distanceThreshold drift when a distance reaches it
 * @param shareThreshold the dataset drifts when this share of its columns drift
 * @param bootstrapRows without a profile, this many first live rows become the reference
 * @param queueSlots slots in the tap's hand-off; when all are in use a request is dropped
 * @param slotValues values one slot holds (rows × columns of one request)
 * @param maxRate per model version, records per second the monitor (and the prediction log)
 *     takes at most, 0 for no limit; a model's {@code sluice.drift.max_rate} parameter overrides
 * @param webhook where alerts are POSTed, null for none
 * @param webhookTemplate the payload template file, null for the built-in one
 * @param webhookSecret HMAC-SHA256 key of the signature header, null for unsigned
 * @param webhookMinIntervalSeconds at most one webhook and one alert log line per model version
 *     per this many seconds
 * @param webhookRetries retries after a failed POST, with doubling backoff from one second
 */
public record DriftConfig(
    boolean enabled,
    int windowRows,
    int windowSeconds,
    int slideRows,
    int slideSeconds,
    int minWindowRows,
    double pValueThreshold,
    double distanceThreshold,
    double shareThreshold,
    int bootstrapRows,
    int queueSlots,
    int slotValues,
    double maxRate,
    URI webhook,
    Path webhookTemplate,
    String webhookSecret,
    int webhookMinIntervalSeconds,
    int webhookRetries) {

  /** The raw values a window keeps before it switches to the quantile sketch. */
  public static final int RAW_LIMIT = 10_000;

  public DriftConfig {
    check(windowRows >= 0, "driftWindowRows", windowRows, ">= 0");
    check(windowSeconds >= 0, "driftWindowSeconds", windowSeconds, ">= 0");
    check(windowRows > 0 || windowSeconds > 0, "driftWindowRows", windowRows,
        "> 0 when driftWindowSeconds is 0");
    check(slideRows >= 0 && (slideRows == 0 || windowRows > 0 && windowRows % slideRows == 0
        && windowRows <= RAW_LIMIT), "driftSlideRows", slideRows,
        "0, or a divisor of driftWindowRows when that is at most " + RAW_LIMIT);
    check(slideSeconds >= 0 && (slideSeconds == 0 || windowSeconds > 0
        && windowSeconds % slideSeconds == 0), "driftSlideSeconds", slideSeconds,
        "0, or a divisor of driftWindowSeconds");
    check(slideRows == 0 || slideSeconds == 0, "driftSlideSeconds", slideSeconds,
        "0 when driftSlideRows is set");
    check(minWindowRows >= 0, "driftMinWindowRows", minWindowRows, ">= 0");
    check(pValueThreshold > 0 && pValueThreshold < 1, "driftPValueThreshold", pValueThreshold,
        "in (0, 1)");
    check(distanceThreshold > 0, "driftDistanceThreshold", distanceThreshold, "> 0");
    check(shareThreshold > 0 && shareThreshold <= 1, "driftShareThreshold", shareThreshold,
        "in (0, 1]");
    check(bootstrapRows > 0, "driftBootstrapRows", bootstrapRows, "> 0");
    check(queueSlots > 0, "driftQueueSlots", queueSlots, "> 0");
    check(slotValues > 0, "driftSlotValues", slotValues, "> 0");
    check(maxRate >= 0 && Double.isFinite(maxRate), "driftMaxRate", maxRate, ">= 0 (0: none)");
    check(webhookMinIntervalSeconds >= 0, "driftWebhookMinIntervalSeconds",
        webhookMinIntervalSeconds, ">= 0");
    check(webhookRetries >= 0, "driftWebhookRetries", webhookRetries, ">= 0");
  }

  private static void check(boolean ok, String name, Object value, String expected) {
    if (!ok) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
    }
  }

  /**
   * The default budget: records per second per version, so a saturated version fills a
   * 1,000-row window every 2 s. Sized by cost: each record costs the monitor thread, the log
   * writer and GC about 15 µs of CPU for a 33-column model (half of it printing the floats), so
   * at 1,000 a second a pod limited to 0.4 of a core lost 5% of its capacity; at 500, within 1%.
   */
  public static final double DEFAULT_MAX_RATE = 500;

  /**
   * The defaults: tumbling windows of 1,000 rows, Evidently's thresholds, at most {@value
   * #DEFAULT_MAX_RATE} records a second per version, no webhook.
   */
  public static DriftConfig defaults() {
    return new DriftConfig(true, 1000, 0, 0, 0, 1000, 0.05, 0.1, 0.5, 1000, 1024, 4096,
        DEFAULT_MAX_RATE, null, null, null, 300, 3);
  }

  /** Panes in one window: 1 when tumbling. */
  int panes() {
    if (slideRows > 0) {
      return windowRows / slideRows;
    }
    if (slideSeconds > 0) {
      return windowSeconds / slideSeconds;
    }
    return 1;
  }

  /** Rows that close a pane (0: none). */
  int paneRows() {
    return slideRows > 0 ? slideRows : slideSeconds > 0 ? 0 : windowRows;
  }

  /** Seconds that close a pane (0: none). */
  int paneSeconds() {
    return slideSeconds > 0 ? slideSeconds : slideRows > 0 ? 0 : windowSeconds;
  }

  public DriftConfig withEnabled(boolean on) {
    return new DriftConfig(on, windowRows, windowSeconds, slideRows, slideSeconds, minWindowRows,
        pValueThreshold, distanceThreshold, shareThreshold, bootstrapRows, queueSlots, slotValues,
        maxRate, webhook, webhookTemplate, webhookSecret, webhookMinIntervalSeconds,
        webhookRetries);
  }

  public DriftConfig withWebhook(URI url, String secret, int minIntervalSeconds) {
    return new DriftConfig(enabled, windowRows, windowSeconds, slideRows, slideSeconds,
        minWindowRows, pValueThreshold, distanceThreshold, shareThreshold, bootstrapRows,
        queueSlots, slotValues, maxRate, url, webhookTemplate, secret, minIntervalSeconds,
        webhookRetries);
  }

  public DriftConfig withMaxRate(double perSecond) {
    return new DriftConfig(enabled, windowRows, windowSeconds, slideRows, slideSeconds,
        minWindowRows, pValueThreshold, distanceThreshold, shareThreshold, bootstrapRows,
        queueSlots, slotValues, perSecond, webhook, webhookTemplate, webhookSecret,
        webhookMinIntervalSeconds, webhookRetries);
  }

  public DriftConfig withWindow(int rows, int seconds, int slideRows, int slideSeconds) {
    return new DriftConfig(enabled, rows, seconds, slideRows, slideSeconds, minWindowRows,
        pValueThreshold, distanceThreshold, shareThreshold, bootstrapRows, queueSlots, slotValues,
        maxRate, webhook, webhookTemplate, webhookSecret, webhookMinIntervalSeconds,
        webhookRetries);
  }

}
