package io.sluice.gateway.registry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.gateway.core.RegistryWebhook;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * MLflow's webhook deliveries (3.3+), as a trigger for an immediate poll; polling stays the
 * source of truth, so a lost delivery only delays a change to the next poll.
 *
 * <p>A delivery is accepted when {@code X-MLflow-Signature} is {@code v1,} and the base64
 * HMAC-SHA256, under the shared secret, of {@code <X-MLflow-Delivery-Id>.<X-MLflow-Timestamp>.
 * <raw body>}, compared in constant time over the raw bytes (never a re-serialized body); its
 * timestamp is within five minutes of the clock; and its delivery id was not seen before
 * (MLflow retries resend the same id: a repeat is answered 200 and triggers nothing). Every
 * outcome counts in {@code sluice_registry_webhooks_total{result}}. Runs on an event loop: the
 * work is one HMAC and a hand-off to the follower's thread.
 */
public final class MlflowWebhook implements RegistryWebhook {
  private static final Duration MAX_SKEW = Duration.ofMinutes(5);
  private static final int REMEMBERED = 1024;

  private final byte[] secret;
  private final Clock clock;
  private final Runnable trigger;
  private final MeterRegistry meters;
  // Delivery ids seen, oldest first; small and only touched under its own lock.
  private final Map<String, Boolean> seen = new LinkedHashMap<>(16, 0.75f, false) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > REMEMBERED;
    }
  };

  /**
   * @param secret the secret given to MLflow when the webhook was created
   * @param trigger what an accepted delivery sets off ({@link MlflowFollower#pollNow})
   */
  public MlflowWebhook(byte[] secret, Clock clock, Runnable trigger, MeterRegistry meters) {
    if (secret.length == 0) {
      throw new IllegalArgumentException("webhook secret: empty (expected: at least one byte)");
    }
    this.secret = secret.clone();
    this.clock = clock;
    this.trigger = trigger;
    this.meters = meters;
  }

  @Override
  public Verdict receive(byte[] body, UnaryOperator<String> header) {
    String id = header.apply("X-MLflow-Delivery-Id");
    String timestamp = header.apply("X-MLflow-Timestamp");
    String signature = header.apply("X-MLflow-Signature");
    if (id == null || timestamp == null || signature == null) {
      return count(Result.UNAUTHENTICATED, "malformed", "a registry webhook needs"
          + " X-MLflow-Delivery-Id, X-MLflow-Timestamp and X-MLflow-Signature (expected: a"
          + " webhook created with a secret)");
    }
    if (!valid(id, timestamp, body, signature)) {
      return count(Result.UNAUTHENTICATED, "bad_signature", "X-MLflow-Signature does not"
          + " verify (expected: v1,<base64 HMAC-SHA256 of id.timestamp.body under the configured"
          + " secret>)");
    }
    long sentSeconds;
    try {
      sentSeconds = Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      return count(Result.INVALID, "malformed", "X-MLflow-Timestamp: '" + timestamp
          + "' (expected: Unix seconds)");
    }
    long skew = Math.abs(clock.millis() / 1000 - sentSeconds);
    if (skew > MAX_SKEW.toSeconds()) {
      return count(Result.INVALID, "stale", "X-MLflow-Timestamp is " + skew + " s away from"
          + " this server's clock (expected: within " + MAX_SKEW.toSeconds() + " s)");
    }
    boolean fresh;
    synchronized (seen) {
      fresh = seen.put(id, Boolean.TRUE) == null;
    }
    if (!fresh) {
      return count(Result.DUPLICATE, "duplicate", "delivery " + id + " was received before");
    }
    trigger.run();
    return count(Result.ACCEPTED, "accepted", "");
  }

  private boolean valid(String id, String timestamp, byte[] body, String signature) {
    if (!signature.startsWith("v1,")) {
      return false;
    }
    byte[] given;
    try {
      given = Base64.getDecoder().decode(signature.substring(3).strip());
    } catch (IllegalArgumentException e) {
      return false;
    }
    Mac mac;
    try {
      mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("every JDK has HmacSHA256", e);
    }
    mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
    return MessageDigest.isEqual(mac.doFinal(body), given);
  }

  private Verdict count(Result result, String label, String message) {
    Counter.builder("sluice_registry_webhooks")
        .description("Registry webhook deliveries by result")
        .tag("result", label)
        .register(meters)
        .increment();
    return new Verdict(result, message);
  }
}
