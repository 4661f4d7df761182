package io.sluice.gateway.routing;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.gateway.routing.TrafficPolicy.Candidate;
import io.sluice.gateway.routing.TrafficPolicy.Comparison;
import io.sluice.gateway.routing.TrafficPolicy.Shadow;
import io.sluice.runtime.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The policy's JSON form, the one users script:
 *
 * <pre>{@code
 * {"stable": "3", "candidates": [{"version": "4", "weight": 10}],
 *  "shadows": [{"version": "5", "fraction": 1.0}], "sticky": {"header": "x-user-id"},
 *  "guards": {"circuit_breaker": {...}, "latency": {...}}, "comparison": {...}}
 * }</pre>
 *
 * Parsing is strict: an unknown field, a wrong type or a value out of range is INVALID_ARGUMENT
 * with the field's path, what it was and what was expected. Versions may be strings or numbers
 * (the V2 protocol spells them as strings).
 */
final class PolicyJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private PolicyJson() {}

  /**
   * @throws io.sluice.runtime.StatusException INVALID_ARGUMENT for anything but a valid policy
   */
  static TrafficPolicy parse(byte[] body) {
    JsonNode root = tree(body);
    try {
      return policy(root);
    } catch (IllegalArgumentException e) {
      throw Status.invalidArgument("traffic policy: " + e.getMessage()).asException();
    }
  }

  /** The body as a JSON object, or INVALID_ARGUMENT. An empty body is an empty object. */
  static JsonNode tree(byte[] body) {
    if (body.length == 0) {
      return MAPPER.createObjectNode();
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw Status.invalidArgument("the body is not JSON: " + e.getOriginalMessage()
          + " (expected: a JSON object)").asException();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (root == null || !root.isObject()) {
      throw Status.invalidArgument("the body is " + (root == null ? "empty" : root.getNodeType())
          + " (expected: a JSON object)").asException();
    }
    return root;
  }

  private static TrafficPolicy policy(JsonNode root) {
    fields(root, "", Set.of("stable", "candidates", "shadows", "sticky", "guards",
        "comparison"));
    if (!root.has("stable")) {
      throw new IllegalArgumentException("stable: missing (expected: the stable version, e.g."
          + " \"stable\": \"3\")");
    }
    long stable = version(root.get("stable"), "stable");
    List<Candidate> candidates = new ArrayList<>();
    int i = 0;
    for (JsonNode c : array(root, "candidates")) {
      String at = "candidates[" + i++ + "]";
      fields(c, at, Set.of("version", "weight"));
      candidates.add(new Candidate(version(required(c, "version", at), at + ".version"),
          number(required(c, "weight", at), at + ".weight", 0, 100)));
    }
    List<Shadow> shadows = new ArrayList<>();
    i = 0;
    for (JsonNode s : array(root, "shadows")) {
      String at = "shadows[" + i++ + "]";
      fields(s, at, Set.of("version", "fraction"));
      shadows.add(new Shadow(version(required(s, "version", at), at + ".version"),
          s.has("fraction") ? number(s.get("fraction"), at + ".fraction", 0, 1) : 1.0));
    }
    String sticky = null;
    if (root.has("sticky") && !root.get("sticky").isNull()) {
      JsonNode st = object(root.get("sticky"), "sticky");
      fields(st, "sticky", Set.of("header"));
      JsonNode h = required(st, "header", "sticky");
      if (!h.isTextual() || h.asText().isBlank() || h.asText().startsWith(":")
          || h.asText().toLowerCase(Locale.ROOT).endsWith("-bin")) {
        throw new IllegalArgumentException("sticky.header: " + h
            + " (expected: a plain header name, e.g. \"x-user-id\")");
      }
      sticky = h.asText().strip().toLowerCase(Locale.ROOT);
    }
    GuardConfig guards = guards(root.get("guards"));
    Comparison comparison = comparison(root.get("comparison"));
    return new TrafficPolicy(stable, candidates, shadows, sticky, guards, comparison);
  }

  /** The {@code "guards"} object alone (a rollout's), with the defaults for what it omits. */
  static GuardConfig parseGuards(JsonNode node) {
    return guards(node);
  }

  private static GuardConfig guards(JsonNode node) {
    GuardConfig d = GuardConfig.ofDefaults();
    if (node == null || node.isNull()) {
      return d;
    }
    object(node, "guards");
    fields(node, "guards", Set.of("circuit_breaker", "latency", "agreement"));
    JsonNode b = node.has("circuit_breaker") ? object(node.get("circuit_breaker"),
        "guards.circuit_breaker") : MAPPER.createObjectNode();
    fields(b, "guards.circuit_breaker", Set.of("enabled", "failure_rate", "slow_call_rate",
        "slow_call_ms", "window", "minimum_calls"));
    JsonNode l = node.has("latency") ? object(node.get("latency"), "guards.latency")
        : MAPPER.createObjectNode();
    fields(l, "guards.latency", Set.of("enabled", "p99_ratio", "margin_ms", "min_samples",
        "window_s"));
    JsonNode a = node.has("agreement") ? object(node.get("agreement"), "guards.agreement")
        : MAPPER.createObjectNode();
    fields(a, "guards.agreement", Set.of("enabled", "min_agreement", "min_comparisons"));
    String ag = "guards.agreement.";
    String cb = "guards.circuit_breaker.";
    String lt = "guards.latency.";
    return new GuardConfig(
        bool(b, "enabled", cb, d.breakerEnabled()),
        (float) opt(b, "failure_rate", cb, d.failureRatePercent(), 0, 100),
        (float) opt(b, "slow_call_rate", cb, d.slowCallRatePercent(), 0, 100),
        Duration.ofMillis((long) opt(b, "slow_call_ms", cb, d.slowCall().toMillis(), 1,
            3_600_000)),
        (int) opt(b, "window", cb, d.breakerWindow(), 1, 100_000),
        (int) opt(b, "minimum_calls", cb, d.breakerMinimumCalls(), 1, 100_000),
        bool(l, "enabled", lt, d.latencyEnabled()),
        opt(l, "p99_ratio", lt, d.p99Ratio(), 1, 1000),
        Duration.ofMillis((long) opt(l, "margin_ms", lt, d.p99Margin().toMillis(), 0,
            3_600_000)),
        (int) opt(l, "min_samples", lt, d.latencyMinSamples(), 1, 10_000_000),
        (int) opt(l, "window_s", lt, d.latencyWindowSeconds(), 1, 3600),
        bool(a, "enabled", ag, d.agreementEnabled()),
        opt(a, "min_agreement", ag, d.minAgreement(), 0, 1),
        (int) opt(a, "min_comparisons", ag, d.agreementMinComparisons(), 1, 10_000_000));
  }

  private static Comparison comparison(JsonNode node) {
    Comparison d = Comparison.ofDefaults();
    if (node == null || node.isNull()) {
      return d;
    }
    object(node, "comparison");
    fields(node, "comparison", Set.of("mode", "abs_tolerance", "rel_tolerance"));
    Comparison.Mode mode = d.mode();
    if (node.has("mode")) {
      String m = node.get("mode").asText("");
      try {
        mode = Comparison.Mode.valueOf(m.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("comparison.mode: " + node.get("mode")
            + " (expected: \"auto\", \"argmax\" or \"numeric\")");
      }
    }
    return new Comparison(mode,
        opt(node, "abs_tolerance", "comparison.", d.absTolerance(), 0, Double.MAX_VALUE),
        opt(node, "rel_tolerance", "comparison.", d.relTolerance(), 0, Double.MAX_VALUE));
  }

  /** Writes the policy as {@link #parse} reads it. */
  static void write(TrafficPolicy p, JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeStringField("stable", Long.toString(p.stable()));
    g.writeArrayFieldStart("candidates");
    for (Candidate c : p.candidates()) {
      g.writeStartObject();
      g.writeStringField("version", Long.toString(c.version()));
      g.writeNumberField("weight", c.weight());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeArrayFieldStart("shadows");
    for (Shadow s : p.shadows()) {
      g.writeStartObject();
      g.writeStringField("version", Long.toString(s.version()));
      g.writeNumberField("fraction", s.fraction());
      g.writeEndObject();
    }
    g.writeEndArray();
    if (p.stickyHeader() != null) {
      g.writeObjectFieldStart("sticky");
      g.writeStringField("header", p.stickyHeader());
      g.writeEndObject();
    }
    GuardConfig c = p.guards();
    g.writeObjectFieldStart("guards");
    g.writeObjectFieldStart("circuit_breaker");
    g.writeBooleanField("enabled", c.breakerEnabled());
    g.writeNumberField("failure_rate", c.failureRatePercent());
    g.writeNumberField("slow_call_rate", c.slowCallRatePercent());
    g.writeNumberField("slow_call_ms", c.slowCall().toMillis());
    g.writeNumberField("window", c.breakerWindow());
    g.writeNumberField("minimum_calls", c.breakerMinimumCalls());
    g.writeEndObject();
    g.writeObjectFieldStart("latency");
    g.writeBooleanField("enabled", c.latencyEnabled());
    g.writeNumberField("p99_ratio", c.p99Ratio());
    g.writeNumberField("margin_ms", c.p99Margin().toMillis());
    g.writeNumberField("min_samples", c.latencyMinSamples());
    g.writeNumberField("window_s", c.latencyWindowSeconds());
    g.writeEndObject();
    g.writeObjectFieldStart("agreement");
    g.writeBooleanField("enabled", c.agreementEnabled());
    g.writeNumberField("min_agreement", c.minAgreement());
    g.writeNumberField("min_comparisons", c.agreementMinComparisons());
    g.writeEndObject();
    g.writeEndObject();
    g.writeObjectFieldStart("comparison");
    g.writeStringField("mode", p.comparison().mode().name().toLowerCase(Locale.ROOT));
    g.writeNumberField("abs_tolerance", p.comparison().absTolerance());
    g.writeNumberField("rel_tolerance", p.comparison().relTolerance());
    g.writeEndObject();
    g.writeEndObject();
  }

  /** A version as a decimal string or a non-negative integer. */
  static long version(JsonNode node, String at) {
    String text = node.isIntegralNumber() ? node.asText() : node.isTextual() ? node.asText()
        : null;
    if (text != null && !text.isEmpty() && text.chars().allMatch(ch -> ch >= '0' && ch <= '9')
        && text.length() <= 18) {
      return Long.parseLong(text);
    }
    throw new IllegalArgumentException(at + ": " + node
        + " (expected: a version number, e.g. \"3\")");
  }

  static double number(JsonNode node, String at, double min, double max) {
    if (!node.isNumber() || !(node.asDouble() >= min && node.asDouble() <= max)) {
      throw new IllegalArgumentException(at + ": " + node + " (expected: a number from " + fmt(min)
          + " to " + fmt(max) + ")");
    }
    return node.asDouble();
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  private static double opt(JsonNode node, String field, String at, double dflt, double min,
      double max) {
    return node.has(field) ? number(node.get(field), at + field, min, max) : dflt;
  }

  private static boolean bool(JsonNode node, String field, String at, boolean dflt) {
    if (!node.has(field)) {
      return dflt;
    }
    if (!node.get(field).isBoolean()) {
      throw new IllegalArgumentException(at + field + ": " + node.get(field)
          + " (expected: true or false)");
    }
    return node.get(field).asBoolean();
  }

  private static JsonNode required(JsonNode node, String field, String at) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException(at + "." + field + ": missing");
    }
    return v;
  }

  private static JsonNode object(JsonNode node, String at) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(at + ": " + node + " (expected: a JSON object)");
    }
    return node;
  }

  private static Iterable<JsonNode> array(JsonNode root, String field) {
    JsonNode a = root.get(field);
    if (a == null || a.isNull()) {
      return List.of();
    }
    if (!a.isArray()) {
      throw new IllegalArgumentException(field + ": " + a + " (expected: a JSON array)");
    }
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode e : a) {
      object(e, field + "[" + out.size() + "]");
      out.add(e);
    }
    return out;
  }

  /** Refuses any field not in {@code allowed}, naming those that are. */
  static void fields(JsonNode node, String at, Set<String> allowed) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw new IllegalArgumentException((at.isEmpty() ? "" : at + ".") + f
            + ": unknown field (expected one of " + new java.util.TreeSet<>(allowed) + ")");
      }
    }
  }
}
