package io.sluice.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The policy JSON users script: what parses, and what each refusal says. */
class PolicyJsonTest {
  private static TrafficPolicy parse(String json) {
    return PolicyJson.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theIssuesExampleParses() {
    TrafficPolicy p = parse("{\"stable\": \"3\", \"candidates\": [{\"version\": \"4\","
        + " \"weight\": 10}], \"shadows\": [{\"version\": \"5\", \"fraction\": 1.0}],"
        + " \"sticky\": {\"header\": \"X-User-Id\"}}");
    assertThat(p.stable()).isEqualTo(3);
    assertThat(p.candidates()).containsExactly(new TrafficPolicy.Candidate(4, 10));
    assertThat(p.shadows()).containsExactly(new TrafficPolicy.Shadow(5, 1.0));
    assertThat(p.stickyHeader()).isEqualTo("x-user-id");
    assertThat(p.guards()).isEqualTo(GuardConfig.ofDefaults());
  }

  @Test
  void guardsOverrideTheirDefaultsOneByOne() {
    TrafficPolicy p = parse("{\"stable\": 1, \"guards\": {\"circuit_breaker\":"
        + " {\"failure_rate\": 50, \"minimum_calls\": 5}, \"latency\": {\"enabled\": false}}}");
    assertThat(p.guards().failureRatePercent()).isEqualTo(50f);
    assertThat(p.guards().breakerMinimumCalls()).isEqualTo(5);
    assertThat(p.guards().breakerWindow()).isEqualTo(GuardConfig.ofDefaults().breakerWindow());
    assertThat(p.guards().latencyEnabled()).isFalse();
  }

  @Test
  void whatIsWrittenParsesBackToTheSamePolicy() throws Exception {
    TrafficPolicy p = parse("{\"stable\": \"1\", \"candidates\": [{\"version\": \"2\","
        + " \"weight\": 12.5}], \"shadows\": [{\"version\": \"3\", \"fraction\": 0.5}],"
        + " \"sticky\": {\"header\": \"x-user-id\"}, \"comparison\": {\"mode\": \"numeric\","
        + " \"abs_tolerance\": 0.01}}");
    StringWriter out = new StringWriter();
    try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
      PolicyJson.write(p, g);
    }
    assertThat(parse(out.toString())).isEqualTo(p);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"candidates\": []}|stable: missing",
      "{\"stable\": \"x\"}|stable: \"x\" (expected: a version number",
      "{\"stable\": 1, \"candidates\": [{\"version\": 2, \"weight\": 120}]}"
          + "|candidates[0].weight: 120 (expected: a number from 0 to 100)",
      "{\"stable\": 1, \"candidates\": [{\"version\": 2, \"weight\": 60},"
          + " {\"version\": 3, \"weight\": 50}]}|sum to 110.0 (expected: at most 100",
      "{\"stable\": 1, \"shadows\": [{\"version\": 2, \"fraction\": 1.5}]}"
          + "|shadows[0].fraction: 1.5 (expected: a number from 0 to 1)",
      "{\"stable\": 1, \"candidates\": [{\"version\": 1, \"weight\": 5}]}"
          + "|both stable and a candidate",
      "{\"stable\": 1, \"weights\": {}}|weights: unknown field (expected one of",
      "{\"stable\": 1, \"guards\": {\"latency\": {\"p99_ratio\": 0.5}}}"
          + "|guards.latency.p99_ratio: 0.5 (expected: a number from 1 to 1000)",
      "{\"stable\": 1, \"comparison\": {\"mode\": \"fuzzy\"}}"
          + "|comparison.mode: \"fuzzy\" (expected: \"auto\", \"argmax\" or \"numeric\")",
      "[1, 2]|the body is ARRAY (expected: a JSON object)",
      "{\"stable\": |the body is not JSON",
  })
  void aBadPolicyIsInvalidAndSaysWhatWasExpected(String json, String message) {
    assertThatThrownBy(() -> parse(json))
        .isInstanceOfSatisfying(StatusException.class, e -> {
          assertThat(e.status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.status().description()).contains(message);
        });
  }
}
