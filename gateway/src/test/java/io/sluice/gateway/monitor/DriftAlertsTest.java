package io.sluice.gateway.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The webhook against a local receiver: retries with backoff, the rate limit, the counters. */
class DriftAlertsTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger failFirst = new AtomicInteger();
  private HttpServer receiver;
  private ScheduledExecutorService scheduler;

  @BeforeEach
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      exchange.getRequestBody().readAllBytes();
      int n = calls.incrementAndGet();
      exchange.sendResponseHeaders(n <= failFirst.get() ? 503 : 204, -1);
      exchange.close();
    });
    receiver.start();
    scheduler = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void stop() {
    receiver.stop(0);
    scheduler.shutdownNow();
  }

  private DriftAlerts alerts(Clock clock, int retries) throws Exception {
    DriftConfig c = DriftConfig.defaults().withWebhook(URI.create(
        "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"), "k", 300);
    c = new DriftConfig(c.enabled(), c.windowRows(), c.windowSeconds(), c.slideRows(),
        c.slideSeconds(), c.minWindowRows(), c.pValueThreshold(), c.distanceThreshold(),
        c.shareThreshold(), c.bootstrapRows(), c.queueSlots(), c.slotValues(), c.maxRate(), c.webhook(), null,
        c.webhookSecret(), c.webhookMinIntervalSeconds(), retries);
    return new DriftAlerts(c, meters, clock, scheduler, 10);
  }

  private static DriftReport report(boolean drift) {
    return new DriftReport("m", "1", Instant.EPOCH, Instant.ofEpochSecond(60), 1000, null, null,
        List.of(), drift ? 1 : 0, drift ? 1 : 0, 0.5, drift, List.of());
  }

  private double webhooks(String outcome) {
    return meters.get("sluice_drift_webhooks").tag("outcome", outcome).counter().count();
  }

  @Test
  void aFailedPostIsRetriedWithBackoffUntilItIsAccepted() throws Exception {
    failFirst.set(2);
    alerts(Clock.systemUTC(), 3).onWindow(report(true));
    await().atMost(Duration.ofSeconds(10)).until(() -> webhooks("sent") == 1);
    assertThat(calls).hasValue(3);
    assertThat(meters.get("sluice_drift_alerts").tag("reason", "dataset").counter().count())
        .isEqualTo(1);
  }

  @Test
  void retriesRunOutAndCountAFailure() throws Exception {
    failFirst.set(100);
    alerts(Clock.systemUTC(), 2).onWindow(report(true));
    await().atMost(Duration.ofSeconds(10)).until(() -> webhooks("failed") == 1);
    assertThat(calls).hasValue(3);
  }

  @Test
  void aSecondAlertWithinTheIntervalIsRateLimited() throws Exception {
    Clock fixed = Clock.fixed(Instant.ofEpochSecond(1000), ZoneOffset.UTC);
    DriftAlerts a = alerts(fixed, 0);
    a.onWindow(report(true));
    a.onWindow(report(true));
    await().atMost(Duration.ofSeconds(10)).until(() -> webhooks("sent") == 1);
    assertThat(webhooks("rate_limited")).isEqualTo(1);
    assertThat(calls).hasValue(1);
  }
}
