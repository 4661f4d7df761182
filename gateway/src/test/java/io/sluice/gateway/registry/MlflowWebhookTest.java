package io.sluice.gateway.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.gateway.core.RegistryWebhook.Result;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class MlflowWebhookTest {
  private static final long NOW = 1_796_000_000L;
  private static final byte[] BODY = ("{\"entity\": \"model_version_alias\", \"action\":"
      + " \"created\", \"data\": {\"name\": \"fraud\", \"alias\": \"champion\", \"version\":"
      + " \"2\"}}").getBytes(StandardCharsets.UTF_8);

  private final AtomicInteger polls = new AtomicInteger();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final MlflowWebhook webhook = new MlflowWebhook("s3cret".getBytes(StandardCharsets.UTF_8),
      Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC), polls::incrementAndGet, meters);

  /** MLflow's scheme: v1,base64(HMAC-SHA256(secret, "id.timestamp.body")). */
  private static String sign(String secret, String id, long ts, byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    mac.update((id + "." + ts + ".").getBytes(StandardCharsets.UTF_8));
    return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
  }

  private Result deliver(String id, long ts, String signature, byte[] body) {
    Map<String, String> headers = signature == null
        ? Map.of("X-MLflow-Delivery-Id", id, "X-MLflow-Timestamp", Long.toString(ts))
        : Map.of("X-MLflow-Delivery-Id", id, "X-MLflow-Timestamp", Long.toString(ts),
            "X-MLflow-Signature", signature);
    return webhook.receive(body, headers::get).result();
  }

  @Test
  void aSignedDeliveryTriggersOnePollAndItsRepeatNone() throws Exception {
    String sig = sign("s3cret", "d-1", NOW, BODY);

    assertThat(deliver("d-1", NOW, sig, BODY)).isEqualTo(Result.ACCEPTED);
    assertThat(deliver("d-1", NOW, sig, BODY)).isEqualTo(Result.DUPLICATE);
    assertThat(polls).hasValue(1);
    assertThat(meters.counter("sluice_registry_webhooks", "result", "duplicate").count())
        .isEqualTo(1);
  }

  @Test
  void aWrongSecretAChangedBodyOrNoSignatureIsUnauthenticated() throws Exception {
    assertThat(deliver("d-2", NOW, sign("other", "d-2", NOW, BODY), BODY))
        .isEqualTo(Result.UNAUTHENTICATED);
    byte[] changed = BODY.clone();
    changed[changed.length - 3] = '7';
    assertThat(deliver("d-3", NOW, sign("s3cret", "d-3", NOW, BODY), changed))
        .isEqualTo(Result.UNAUTHENTICATED);
    assertThat(deliver("d-4", NOW, null, BODY)).isEqualTo(Result.UNAUTHENTICATED);
    assertThat(deliver("d-5", NOW, "v1,not-base64!", BODY)).isEqualTo(Result.UNAUTHENTICATED);
    assertThat(polls).hasValue(0);
  }

  @Test
  void aDeliveryOlderThanFiveMinutesIsRefusedEvenWhenSigned() throws Exception {
    long old = NOW - 301;

    assertThat(deliver("d-6", old, sign("s3cret", "d-6", old, BODY), BODY))
        .isEqualTo(Result.INVALID);
    assertThat(polls).hasValue(0);
  }
}
