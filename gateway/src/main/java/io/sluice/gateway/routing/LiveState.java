package io.sluice.gateway.routing;

import io.sluice.gateway.routing.TrafficPolicy.Candidate;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's policy as it is in force: the policy, the candidates rolled back since it was put
 * (weight 0, with the reason), each candidate's guards and stable's latency window. Immutable
 * apart from the guards' own counters; a rollback is a new state swapped in with one
 * compare-and-set, keeping the guards.
 *
 * @param rolledBack version → why and when it was rolled back
 * @param since when this policy was put in force
 */
record LiveState(
    TrafficPolicy policy,
    Map<Long, Rollback> rolledBack,
    Map<Long, CandidateGuard> guards,
    LatencyWindow stableLatency,
    Instant since) {

  /** One rollback: the guard (or {@code manual}), what it saw, and when. */
  record Rollback(String reason, String detail, Instant at) {}

  LiveState {
    rolledBack = Map.copyOf(rolledBack);
    guards = Map.copyOf(guards);
  }

  /** A fresh state for {@code policy}: new guards, nothing rolled back. */
  static LiveState of(String model, TrafficPolicy policy, Clock clock) {
    Map<Long, CandidateGuard> guards = new LinkedHashMap<>();
    for (Candidate c : policy.candidates()) {
      guards.put(c.version(), new CandidateGuard(model, c.version(), policy.guards(), clock));
    }
    return new LiveState(policy, Map.of(), guards,
        new LatencyWindow(policy.guards().latencyWindowSeconds()), clock.instant());
  }

  /** The weight a candidate takes now: 0 once rolled back. */
  double weight(Candidate c) {
    return rolledBack.containsKey(c.version()) ? 0 : c.weight();
  }

  boolean isRolledBack(long version) {
    return rolledBack.containsKey(version);
  }

  /**
   * The policy as it stands, rolled-back candidates at weight 0: what is saved across a
   * restart, so a restart never gives a rolled-back candidate its traffic back.
   */
  TrafficPolicy inForce() {
    if (rolledBack.isEmpty()) {
      return policy;
    }
    return new TrafficPolicy(policy.stable(),
        policy.candidates().stream().map(c -> new Candidate(c.version(), weight(c))).toList(),
        policy.shadows(), policy.stickyHeader(), policy.guards(), policy.comparison());
  }

  LiveState rollBack(long version, Rollback rollback) {
    Map<Long, Rollback> r = new HashMap<>(rolledBack);
    r.put(version, rollback);
    return new LiveState(policy, r, guards, stableLatency, since);
  }
}
