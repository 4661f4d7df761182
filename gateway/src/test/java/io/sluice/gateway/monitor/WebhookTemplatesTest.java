package io.sluice.gateway.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The shipped templates render to valid JSON with the report's values in place. */
class WebhookTemplatesTest {
  private static final DriftReport REPORT = new DriftReport("iris \"v\"", "2",
      Instant.ofEpochMilli(0), Instant.ofEpochMilli(60_000), 1000,
      new ReferenceProfile.Dataset("iris_train.csv", 150, "dvc:abc", "profile"), "h",
      List.of(new ColumnReport("petal_length", "input", "numeric", "ks", 0.3, 1e-12, 0.05, true,
          true, 150, 1000, Map.of("ks", 0.3), Map.of("missing", 0L, "nan", 0L, "inf", 0L,
          "out_of_range", 5L, "unseen", 0L))),
      1, 1.0, 0.5, true, List.of());

  @ParameterizedTest
  @ValueSource(strings = {"airflow.json", "kubeflow.json", "(built-in)"})
  void rendersToJson(String file) throws Exception {
    String template = file.startsWith("(") ? DriftAlerts.DEFAULT_TEMPLATE
        : Files.readString(Path.of("../examples/webhooks", file));
    JsonNode body = new ObjectMapper().readTree(DriftAlerts.render(template, REPORT));
    assertThat(body.toString()).contains("petal_length").contains("iris \\\"v\\\"")
        .contains("sluice-iris \\\"v\\\"-2-60000");
  }

  @org.junit.jupiter.api.Test
  void theSignatureIsTheHmacSha256OfTheBody() {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
    assertThat(DriftAlerts.sign("Jefe", "what do ya want for nothing?".getBytes()))
        .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }
}
