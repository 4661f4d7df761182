package io.sluice.gateway.routing;

import io.sluice.gateway.core.InferenceEvent;
import io.sluice.gateway.core.InferenceListener;
import io.sluice.gateway.model.Selection;
import io.sluice.runtime.Status;

/**
 * Feeds the guards from the completion pipeline: every answer a candidate gave on the canary
 * route goes to its breaker and latency window, every answer of stable to stable's window. A
 * request the client got wrong (bad input, a deadline it set, a call it cancelled) says nothing
 * about the version and is left out. A tripped breaker rolls the candidate back here, on the
 * event loop: one compare-and-set and an asynchronous notification.
 */
final class GuardListener implements InferenceListener {
  private final TrafficTable table;

  GuardListener(TrafficTable table) {
    this.table = table;
  }

  @Override
  public void onInference(InferenceEvent e) {
    if (e.role() != InferenceEvent.Role.PRIMARY || e.route() == Selection.Route.PINNED
        || (!e.succeeded() && isClientSide(e.status().code()))) {
      return;
    }
    String model = e.version().name();
    LiveState s = table.state(model);
    if (s == null) {
      return;
    }
    long version = e.version().version();
    if (e.route() == Selection.Route.CANARY) {
      CandidateGuard guard = s.guards().get(version);
      if (guard == null || s.isRolledBack(version)) {
        return;
      }
      String reason = guard.record(e.succeeded(), e.totalNanos());
      if (reason != null) {
        table.rollback(model, version, reason, guard.breakerDetail());
      }
    } else if (version == s.policy().stable() && e.succeeded()) {
      s.stableLatency().record(e.totalNanos());
    }
  }

  private static boolean isClientSide(Status.Code code) {
    return code == Status.Code.INVALID_ARGUMENT || code == Status.Code.NOT_FOUND
        || code == Status.Code.CANCELLED || code == Status.Code.DEADLINE_EXCEEDED
        || code == Status.Code.RESOURCE_EXHAUSTED;
  }
}
