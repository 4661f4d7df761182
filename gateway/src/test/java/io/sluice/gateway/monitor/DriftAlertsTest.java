package io.sluice.gateway.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.gateway.ManualClock;
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
import org.slf4j.LoggerFactory;

/**
 * The webhook against a local receiver: retries with backoff, the rate limit, the counters; and
 * the alert's log line, at drift's start and then at most once per interval.
 */
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

  @Test
  void aLongDriftLogsItsFirstAlertAtOnceThenOncePerIntervalNamingTheWindowsLeftOut()
      throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(DriftAlerts.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    try {
      ManualClock clock = new ManualClock(Instant.ofEpochSecond(1_000));
      DriftAlerts a = alerts(clock, 0); // interval 300 s
      a.onWindow(report(true)); // the first alert: logged
      clock.advance(Duration.ofSeconds(1));
      a.onWindow(report(true)); // left out
      clock.advance(Duration.ofSeconds(1));
      a.onWindow(report(false)); // no alert: neither logged nor counted
      clock.advance(Duration.ofSeconds(1));
      a.onWindow(report(true)); // left out
      clock.set(Instant.ofEpochMilli(1_299_999));
      a.onWindow(report(true)); // left out: 1 ms short of the interval
      clock.set(Instant.ofEpochSecond(1_300));
      a.onWindow(report(true)); // 300 s after the first line: logged, naming the three left out
      clock.advance(Duration.ofSeconds(1));
      a.onWindow(report(true)); // left out again

      assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage)
          .hasSize(2)
          .allSatisfy(m -> assertThat(m).startsWith("drift alert: model 'm' version 1: 1 of 0"))
          .satisfies(m -> {
            assertThat(m.get(0)).doesNotContain("more alerting");
            assertThat(m.get(1)).endsWith("; 3 more alerting window(s) since the last line");
          });
      assertThat(meters.get("sluice_drift_alerts").counter().count()).isEqualTo(6);
    } finally {
      logger.detachAppender(lines);
    }
  }
}
