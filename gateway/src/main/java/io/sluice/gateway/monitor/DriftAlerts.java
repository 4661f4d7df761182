package io.sluice.gateway.monitor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a drifting window sets off — the continuous-training trigger: a log event, {@code
 * sluice_drift_alerts_total{model,version,reason}}, and a webhook POST (optional). The payload is
 * a template with {@code {{placeholders}}} (README; examples for Airflow and Kubeflow Pipelines
 * in {@code examples/webhooks/}), signed with HMAC-SHA256 over the body in {@value
 * #SIGNATURE_HEADER} ({@code sha256=<hex>}) when a secret is set, sent at most once per model
 * version per {@code webhookMinIntervalSeconds}, retried with doubling backoff. Sending is
 * asynchronous (the JDK's {@link HttpClient}); retries wait on the injected scheduler, never on
 * the monitor thread.
 *
 * <p>The counter counts every alerting window. The log line follows the webhook's rule: a
 * version's first alert logs at once, later ones at most once per the same interval, each line
 * naming the alerting windows it left out since the last, so a version drifting for hours writes
 * a line every few minutes, not one per window.
 */
public final class DriftAlerts implements AutoCloseable {
  static final String SIGNATURE_HEADER = "X-Sluice-Signature";
  private static final Logger log = LoggerFactory.getLogger(DriftAlerts.class);
  private static final JsonFactory JSON = new JsonFactory();
  static final String DEFAULT_TEMPLATE = "{\"event\": \"sluice.drift\", \"model\": \"{{model}}\","
      + " \"version\": \"{{version}}\", \"run_id\": \"{{run_id}}\", \"share_drifted\":"
      + " {{share_drifted}}, \"dataset_drift\": {{dataset_drift}}, \"drifted_columns\":"
      + " {{drifted_columns}}, \"reference\": {\"name\": \"{{reference_name}}\", \"lineage\":"
      + " \"{{reference_lineage}}\", \"profile_hash\": \"{{profile_hash}}\"}, \"report\":"
      + " {{report}}}";

  private final DriftConfig config;
  private final MeterRegistry meters;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final HttpClient http;
  private final String template;
  private final long backoffMillis;
  /** Per model version ("model/version"): when its last line and POST went. */
  private final Map<String, VersionAlerts> versions = new ConcurrentHashMap<>();
  private final Counter sent;
  private final Counter failed;
  private final Counter limited;

  /**
   * @param scheduler runs retries after their backoff
   * @param backoffMillis the first retry's delay; each next one doubles it
   */
  public DriftAlerts(DriftConfig config, MeterRegistry meters, Clock clock,
      ScheduledExecutorService scheduler, long backoffMillis) throws IOException {
    this.config = config;
    this.meters = meters;
    this.clock = clock;
    this.scheduler = scheduler;
    this.backoffMillis = backoffMillis;
    this.template = config.webhookTemplate() == null ? DEFAULT_TEMPLATE
        : Files.readString(config.webhookTemplate(), StandardCharsets.UTF_8);
    this.http = config.webhook() == null ? null
        : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.sent = webhookCounter("sent");
    this.failed = webhookCounter("failed");
    this.limited = webhookCounter("rate_limited");
  }

  private Counter webhookCounter(String outcome) {
    return Counter.builder("sluice_drift_webhooks")
        .description("drift webhook POSTs by outcome").tag("outcome", outcome).register(meters);
  }

  /** Called by the monitor thread for every completed window. */
  void onWindow(DriftReport r) {
    if (!r.alerting()) {
      return;
    }
    String reason = r.datasetDrift() ? "dataset" : "column";
    Counter.builder("sluice_drift_alerts").description("drift alerts raised")
        .tag("model", r.model()).tag("version", r.version()).tag("reason", reason)
        .register(meters).increment();
    VersionAlerts v =
        versions.computeIfAbsent(r.model() + "/" + r.version(), k -> new VersionAlerts());
    long now = clock.millis();
    logAlert(v, r, now);
    if (http == null) {
      return;
    }
    if (!due(v.sentAt, now)) {
      limited.increment();
      return;
    }
    v.sentAt = now;
    byte[] body = render(template, r).getBytes(StandardCharsets.UTF_8);
    send(body, 0);
  }

  /** A version's alerts (monitor thread only): when its last line and POST went. */
  private static final class VersionAlerts {
    long loggedAt = NEVER;
    /** Alerting windows since the last line, left out of the log. */
    long unlogged;
    long sentAt = NEVER;
  }

  private static final long NEVER = Long.MIN_VALUE;

  /** The one rate rule of the log line and the webhook: never yet, or an interval ago. */
  private boolean due(long last, long now) {
    return last == NEVER || now - last >= config.webhookMinIntervalSeconds() * 1000L;
  }

  private void logAlert(VersionAlerts v, DriftReport r, long now) {
    if (!due(v.loggedAt, now)) {
      v.unlogged++;
      return;
    }
    String since = v.unlogged == 0 ? ""
        : "; " + v.unlogged + " more alerting window(s) since the last line";
    log.warn("drift alert: model '{}' version {}: {} of {} columns drifted (share {}, threshold"
        + " {}), drifted: {}, window {}..{} ({} rows), reference {} [{}]{}", r.model(),
        r.version(), r.nDrifted(), r.columns().size(), String.format("%.3f", r.shareDrifted()),
        r.shareThreshold(), r.driftedColumns(), r.windowStart(), r.windowEnd(), r.rows(),
        r.reference() == null ? "?" : r.reference().name(), r.profileHash(), since);
    v.loggedAt = now;
    v.unlogged = 0;
  }

  private void send(byte[] body, int attempt) {
    HttpRequest.Builder request = HttpRequest.newBuilder(config.webhook())
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (config.webhookSecret() != null) {
      request.header(SIGNATURE_HEADER, "sha256=" + sign(config.webhookSecret(), body));
    }
    http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
        .whenComplete((response, error) -> {
          if (error == null && response.statusCode() / 100 == 2) {
            sent.increment();
            return;
          }
          String why = error != null ? error.toString() : "HTTP " + response.statusCode();
          if (attempt < config.webhookRetries()) {
            long delay = backoffMillis << attempt;
            log.info("drift webhook {} failed ({}), retry {} in {} ms", config.webhook(), why,
                attempt + 1, delay);
            scheduler.schedule(() -> send(body, attempt + 1), delay, TimeUnit.MILLISECONDS);
          } else {
            failed.increment();
            log.warn("drift webhook {} failed ({}) after {} attempts", config.webhook(), why,
                attempt + 1);
          }
        });
  }

  /** HMAC-SHA256 of {@code body} under {@code secret}, as hex. */
  static String sign(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }

  /**
   * Fills {@code template}: text placeholders are JSON-escaped (the template supplies the
   * quotes); {@code share_drifted}, {@code n_drifted}, {@code dataset_drift}, {@code
   * drifted_columns} and {@code report} are JSON values.
   */
  static String render(String template, DriftReport r) {
    ReferenceProfile.Dataset ref = r.reference();
    String out = template
        .replace("{{model}}", esc(r.model()))
        .replace("{{version}}", esc(r.version()))
        .replace("{{run_id}}", esc("sluice-" + r.model() + "-" + r.version() + "-"
            + r.windowEnd().toEpochMilli()))
        .replace("{{window_start}}", r.windowStart().toString())
        .replace("{{window_end}}", r.windowEnd().toString())
        .replace("{{reference_name}}", esc(ref == null || ref.name() == null ? "" : ref.name()))
        .replace("{{reference_lineage}}",
            esc(ref == null || ref.version() == null ? "" : ref.version()))
        .replace("{{profile_hash}}", esc(r.profileHash() == null ? "" : r.profileHash()))
        .replace("{{share_drifted}}", Double.toString(r.shareDrifted()))
        .replace("{{n_drifted}}", Integer.toString(r.nDrifted()))
        .replace("{{dataset_drift}}", Boolean.toString(r.datasetDrift()));
    if (out.contains("{{drifted_columns}}")) {
      out = out.replace("{{drifted_columns}}", json(g -> {
        g.writeStartArray();
        for (String c : r.driftedColumns()) {
          g.writeString(c);
        }
        g.writeEndArray();
      }));
    }
    if (out.contains("{{report}}")) {
      out = out.replace("{{report}}", json(g -> {
        g.writeStartObject();
        DriftJson.writeReport(g, r);
        g.writeEndObject();
      }));
    }
    return out;
  }

  private interface Writer {
    void write(JsonGenerator g) throws IOException;
  }

  private static String json(Writer w) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      w.write(g);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }

  private static String esc(String s) {
    return new String(JsonStringEncoder.getInstance().quoteAsString(s));
  }

  @Override
  public void close() {
    // the HttpClient's threads are daemons; pending retries die with the scheduler
  }
}
