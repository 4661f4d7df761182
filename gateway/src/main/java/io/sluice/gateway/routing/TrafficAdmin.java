package io.sluice.gateway.routing;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.sluice.gateway.core.TrafficControl;
import io.sluice.gateway.model.ModelManager;
import io.sluice.gateway.model.ModelRecord;
import io.sluice.gateway.model.VersionEntry;
import io.sluice.gateway.request.ContextHeaders;
import io.sluice.gateway.routing.TrafficPolicy.Candidate;
import io.sluice.gateway.routing.TrafficPolicy.Shadow;
import io.sluice.runtime.Status;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rollout admin API over the {@link TrafficTable}, the {@link Faults} and the shadows'
 * scores: bodies parsed here (strictly; a refusal is INVALID_ARGUMENT and changes nothing),
 * versions checked against the model's snapshot, the status document written here. The front
 * ends put it behind the admin guard.
 */
final class TrafficAdmin implements TrafficControl {
  private final ModelManager models;
  private final TrafficTable table;
  private final Faults faults;
  private final ShadowScores scores;
  private final Set<String> readHeaders;
  private final Rollouts rollouts;
  private final PolicyRestore restore;

  TrafficAdmin(ModelManager models, TrafficTable table, Faults faults, ShadowScores scores,
      ContextHeaders headers, Rollouts rollouts, PolicyRestore restore) {
    this.rollouts = rollouts;
    this.restore = restore;
    this.models = models;
    this.table = table;
    this.faults = faults;
    this.scores = scores;
    this.readHeaders = Set.copyOf(headers.names());
  }

  @Override
  public void checkTraffic(String model) {
    models.record(model);
  }

  @Override
  public void putTraffic(String model, byte[] policyJson) {
    ModelRecord r = models.record(model);
    TrafficPolicy p = PolicyJson.parse(policyJson);
    checkReady(r, p.stable(), "stable");
    for (Candidate c : p.candidates()) {
      checkReady(r, c.version(), "candidate");
    }
    for (Shadow s : p.shadows()) {
      checkReady(r, s.version(), "shadow");
    }
    if (p.stickyHeader() != null && !readHeaders.contains(p.stickyHeader())) {
      throw Status.invalidArgument("traffic policy: sticky.header: '" + p.stickyHeader()
          + "' is not read by this server (expected one of " + new TreeSet<>(readHeaders)
          + "; add it to --context-headers, or send the V2 parameter sticky_key)").asException();
    }
    rollouts.supersede(model, "a PUT of the policy");
    table.put(model, p);
  }

  private static void checkReady(ModelRecord r, long version, String role) {
    VersionEntry v = r.versions().get(version);
    if (v == null || !v.isReady()) {
      throw Status.invalidArgument("traffic policy: " + role + " version " + version
          + " of model '" + r.name() + "' is not loaded (expected one of the READY versions "
          + readyVersions(r) + ")").asException();
    }
  }

  static List<Long> readyVersions(ModelRecord r) {
    return r.versions().values().stream().filter(VersionEntry::isReady)
        .map(VersionEntry::version).toList();
  }

  @Override
  public void promote(String model, byte[] body) {
    ModelRecord r = models.record(model);
    JsonNode root = PolicyJson.tree(body);
    LiveState s = table.state(model);
    if (s == null) {
      throw Status.invalidArgument("model '" + model + "' has no traffic policy (expected: PUT"
          + " /v2/models/" + model + "/traffic first)").asException();
    }
    long version = version(root, s, "promote");
    if (s.policy().candidate(version) == null) {
      throw Status.invalidArgument("version " + version + " is no candidate of model '" + model
          + "' (expected one of " + candidates(s) + ")").asException();
    }
    checkReady(r, version, "promoted");
    rollouts.supersede(model, "a promote");
    table.promote(model, version);
  }

  @Override
  public void rollback(String model, byte[] body) {
    models.record(model);
    JsonNode root = PolicyJson.tree(body);
    LiveState s = table.state(model);
    if (s == null) {
      throw Status.invalidArgument("model '" + model + "' has no traffic policy (expected: PUT"
          + " /v2/models/" + model + "/traffic first)").asException();
    }
    String reason = root.has("reason") ? root.get("reason").asText("manual") : "manual";
    if (root.has("version")) {
      long version = version(root, s, "rollback");
      if (s.policy().candidate(version) == null) {
        throw Status.invalidArgument("version " + version + " is no candidate of model '"
            + model + "' (expected one of " + candidates(s) + ")").asException();
      }
      table.rollback(model, version, "manual", reason);
    } else {
      for (Candidate c : s.policy().candidates()) {
        table.rollback(model, c.version(), "manual", reason);
      }
    }
  }

  private static long version(JsonNode root, LiveState s, String what) {
    try {
      PolicyJson.fields(root, "", Set.of("version", "reason"));
      if (root.has("version")) {
        return PolicyJson.version(root.get("version"), "version");
      }
    } catch (IllegalArgumentException e) {
      throw Status.invalidArgument(what + ": " + e.getMessage()).asException();
    }
    List<Candidate> c = s.policy().candidates();
    if (c.size() != 1) {
      throw Status.invalidArgument(what + ": version: missing (expected one of " + candidates(s)
          + " when the policy has " + c.size() + " candidates)").asException();
    }
    return c.get(0).version();
  }

  private static List<Long> candidates(LiveState s) {
    return s.policy().candidates().stream().map(Candidate::version).toList();
  }

  /**
   * {@code {"candidate": "4", "shadow_s": 30, "step_s": 60, "steps": [5, 25, 50],
   * "guards": {…}}}: everything but the candidate has these defaults; stable is the policy's, or
   * the version serving now.
   */
  @Override
  public void rollout(String model, byte[] body) {
    ModelRecord r = models.record(model);
    JsonNode root = PolicyJson.tree(body);
    Rollouts.Plan plan;
    try {
      PolicyJson.fields(root, "", Set.of("candidate", "shadow_s", "step_s", "steps", "guards"));
      if (!root.has("candidate")) {
        throw new IllegalArgumentException("candidate: missing (expected: the version to roll"
            + " out, e.g. \"candidate\": \"4\")");
      }
      long candidate = PolicyJson.version(root.get("candidate"), "candidate");
      java.util.List<Double> steps = new java.util.ArrayList<>();
      if (root.has("steps")) {
        if (!root.get("steps").isArray() || root.get("steps").isEmpty()) {
          throw new IllegalArgumentException("steps: " + root.get("steps")
              + " (expected: a non-empty array of weights, e.g. [5, 25, 50])");
        }
        for (JsonNode w : root.get("steps")) {
          steps.add(PolicyJson.number(w, "steps[" + steps.size() + "]", 0, 100));
        }
      } else {
        steps.addAll(java.util.List.of(5.0, 25.0, 50.0));
      }
      int shadowS = root.has("shadow_s")
          ? (int) PolicyJson.number(root.get("shadow_s"), "shadow_s", 0, 86_400) : 30;
      int stepS = root.has("step_s")
          ? (int) PolicyJson.number(root.get("step_s"), "step_s", 1, 86_400) : 60;
      GuardConfig guards = root.has("guards")
          ? PolicyJson.parseGuards(root.get("guards")) : GuardConfig.ofDefaults();
      plan = new Rollouts.Plan(candidate, shadowS, stepS, java.util.List.copyOf(steps), guards);
    } catch (IllegalArgumentException e) {
      throw Status.invalidArgument("rollout: " + e.getMessage()).asException();
    }
    checkReady(r, plan.candidate(), "candidate");
    LiveState s = table.state(model);
    long stable = s != null ? s.policy().stable() : models.ready(model, "").version();
    if (stable == plan.candidate()) {
      throw Status.invalidArgument("rollout: candidate " + stable + " is already stable"
          + " (expected: another READY version of " + readyVersions(r) + ")").asException();
    }
    if (rollouts.isRunning(model)) {
      throw Status.invalidArgument("rollout: one is already running for model '" + model
          + "' (expected: wait for it, or PUT a policy to supersede it)").asException();
    }
    rollouts.start(model, stable, plan);
  }

  @Override
  public void putFaults(String model, String version, byte[] body) {
    ModelRecord r = models.record(model);
    if (version.isEmpty()) {
      throw Status.notFound("faults are set per version (expected: PUT /v2/models/" + model
          + "/versions/{v}/faults)").asException();
    }
    // Not a number is not a version: NOT_FOUND below, as over HTTP, never a parse failure.
    long v = version.length() > 18 || !version.chars().allMatch(Character::isDigit)
        ? -1 : Long.parseLong(version);
    if (!r.versions().containsKey(v)) {
      throw Status.notFound("unknown version " + version + " of model '" + model + "'")
          .asException();
    }
    JsonNode root = PolicyJson.tree(body);
    double rate;
    long delay;
    try {
      PolicyJson.fields(root, "", Set.of("error_rate", "delay_ms"));
      rate = root.has("error_rate") ? PolicyJson.number(root.get("error_rate"), "error_rate", 0, 1)
          : 0;
      delay = root.has("delay_ms")
          ? (long) PolicyJson.number(root.get("delay_ms"), "delay_ms", 0, 60_000) : 0;
    } catch (IllegalArgumentException e) {
      throw Status.invalidArgument("faults: " + e.getMessage()).asException();
    }
    faults.set(model, v, rate, delay);
  }

  @Override
  public void writeTraffic(String model, JsonGenerator g) throws IOException {
    ModelRecord r = models.record(model);
    LiveState s = table.state(model);
    g.writeStartObject();
    g.writeStringField("model", model);
    g.writeArrayFieldStart("ready_versions");
    for (long v : readyVersions(r)) {
      g.writeString(Long.toString(v));
    }
    g.writeEndArray();
    if (s == null) {
      g.writeNullField("policy");
    } else {
      g.writeFieldName("policy");
      PolicyJson.write(s.policy(), g);
      writeState(s, g);
    }
    writeFaults(model, g);
    scores.write(model, g);
    rollouts.write(model, g);
    restore.write(model, g);
    g.writeEndObject();
  }

  private static void writeState(LiveState s, JsonGenerator g) throws IOException {
    g.writeObjectFieldStart("state");
    g.writeStringField("since", s.since().toString());
    g.writeObjectFieldStart("stable");
    g.writeStringField("version", Long.toString(s.policy().stable()));
    double rest = 100;
    for (Candidate c : s.policy().candidates()) {
      rest -= s.weight(c);
    }
    g.writeNumberField("weight", rest);
    g.writeNumberField("latency_p99_ms", s.stableLatency().p99Micros() / 1000.0);
    g.writeNumberField("latency_samples", s.stableLatency().count());
    g.writeEndObject();
    g.writeArrayFieldStart("candidates");
    for (Candidate c : s.policy().candidates()) {
      g.writeStartObject();
      g.writeStringField("version", Long.toString(c.version()));
      g.writeNumberField("configured_weight", c.weight());
      g.writeNumberField("weight", s.weight(c));
      LiveState.Rollback rb = s.rolledBack().get(c.version());
      g.writeStringField("state", rb == null ? "active" : "rolled_back");
      if (rb != null) {
        g.writeStringField("reason", rb.reason());
        g.writeStringField("detail", rb.detail());
        g.writeStringField("rolled_back_at", rb.at().toString());
      }
      CandidateGuard guard = s.guards().get(c.version());
      CircuitBreaker.Metrics m = guard.breaker().getMetrics();
      g.writeObjectFieldStart("circuit_breaker");
      g.writeStringField("state", guard.breaker().getState().name().toLowerCase(
          java.util.Locale.ROOT));
      g.writeNumberField("calls", m.getNumberOfBufferedCalls());
      g.writeNumberField("failed_calls", m.getNumberOfFailedCalls());
      g.writeNumberField("slow_calls", m.getNumberOfSlowCalls());
      g.writeEndObject();
      g.writeObjectFieldStart("latency");
      g.writeNumberField("p99_ms", guard.latency().p99Micros() / 1000.0);
      g.writeNumberField("samples", guard.latency().count());
      g.writeEndObject();
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private void writeFaults(String model, JsonGenerator g) throws IOException {
    g.writeArrayFieldStart("faults");
    for (Map.Entry<Long, Faults.Fault> e : new java.util.TreeMap<>(faults.of(model)).entrySet()) {
      Faults.Fault f = e.getValue();
      g.writeStartObject();
      g.writeStringField("version", Long.toString(e.getKey()));
      g.writeNumberField("error_rate", f.errorRate());
      g.writeNumberField("delay_ms", f.delayMillis());
      g.writeNumberField("injected_errors", (long) f.errors().count());
      g.writeNumberField("injected_delays", (long) f.delays().count());
      g.writeEndObject();
    }
    g.writeEndArray();
  }
}
