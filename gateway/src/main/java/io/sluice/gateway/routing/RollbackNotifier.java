package io.sluice.gateway.routing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a rollback sets off: one log line with the reason, {@code
 * sluice_rollbacks_total{model,version,reason}}, and, with {@code --rollback-webhook}, one JSON
 * POST sent asynchronously by the JDK's {@link HttpClient} (its outcome counted in {@code
 * sluice_rollback_webhooks_total{outcome}}; a failed POST is logged, not retried: the metric and
 * the status JSON still hold the event).
 */
final class RollbackNotifier {
  private static final Logger log = LoggerFactory.getLogger(RollbackNotifier.class);
  private static final JsonFactory JSON = new JsonFactory();

  private final MeterRegistry meters;
  private final URI webhook;
  private final HttpClient http;
  private final Counter sent;
  private final Counter failed;

  /** @param webhook where rollbacks are POSTed, null for none */
  RollbackNotifier(MeterRegistry meters, URI webhook) {
    this.meters = meters;
    this.webhook = webhook;
    this.http = webhook == null ? null
        : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.sent = outcome("sent");
    this.failed = outcome("failed");
  }

  private Counter outcome(String outcome) {
    return Counter.builder("sluice_rollback_webhooks").description("rollback webhook POSTs")
        .tag("outcome", outcome).register(meters);
  }

  /** Never blocks: the POST is asynchronous. */
  void rolledBack(String model, long version, String reason, String detail, Instant at) {
    log.warn("rolled back model '{}' version {}: {} ({})", model, version, reason, detail);
    Counter.builder("sluice_rollbacks").description("candidates rolled back, by reason")
        .tags("model", model, "version", Long.toString(version), "reason", reason)
        .register(meters).increment();
    if (webhook == null) {
      return;
    }
    String body = payload(model, version, reason, detail, at);
    HttpRequest request = HttpRequest.newBuilder(webhook)
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
      if (e == null && r.statusCode() / 100 == 2) {
        sent.increment();
      } else {
        failed.increment();
        log.warn("rollback webhook {} failed: {}", webhook,
            e != null ? e.toString() : "HTTP " + r.statusCode());
      }
    });
  }

  static String payload(String model, long version, String reason, String detail, Instant at) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("event", "sluice.rollback");
      g.writeStringField("model", model);
      g.writeStringField("version", Long.toString(version));
      g.writeStringField("reason", reason);
      g.writeStringField("detail", detail);
      g.writeStringField("at", at.toString());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
