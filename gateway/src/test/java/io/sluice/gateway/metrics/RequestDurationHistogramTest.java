package io.sluice.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.runtime.Status;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RequestDurationHistogramTest {
  @Test
  void successesAndFailuresFallIntoTheFixedBucketsOfTheirVersion() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VersionStats stats =
        new VersionStats("m", "1", Clock.systemUTC(), new VersionMeters(registry, "m", "1"));

    stats.recordSuccess(TimeUnit.MICROSECONDS.toNanos(800), 0, 0, 0, 0);
    stats.recordSuccess(TimeUnit.MILLISECONDS.toNanos(30), 0, 0, 0, 0);
    stats.recordFailure(TimeUnit.SECONDS.toNanos(3), Status.Code.INTERNAL);

    String text = registry.scrape();
    String series = "sluice_request_duration_seconds_bucket{model=\"m\",version=\"1\",le=";
    assertThat(text)
        .contains(series + "\"0.001\"} 1")
        .contains(series + "\"0.025\"} 1")
        .contains(series + "\"0.05\"} 2")
        .contains(series + "\"2.5\"} 2")
        .contains(series + "\"5.0\"} 3")
        .contains(series + "\"+Inf\"} 3")
        .contains("sluice_request_duration_seconds_count{model=\"m\",version=\"1\"} 3");
    // Only the fixed edges (13) plus +Inf: no percentile histogram's hundred-odd buckets.
    assertThat(text.lines().filter(l -> l.startsWith(series))).hasSize(14);
  }

  @Test
  void removingTheVersionRemovesItsHistogram() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VersionMeters meters = new VersionMeters(registry, "m", "1");
    new VersionStats("m", "1", Clock.systemUTC(), meters)
        .recordSuccess(TimeUnit.MILLISECONDS.toNanos(3), 0, 0, 0, 0);
    meters.remove();
    assertThat(registry.scrape()).doesNotContain("sluice_request_duration_seconds");
  }
}
