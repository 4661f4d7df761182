package io.sluice.gateway.routing;

import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.gateway.routing.TrafficPolicy.Candidate;
import io.sluice.gateway.routing.TrafficPolicy.Shadow;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step-wise rollouts ({@code POST /v2/models/{m}/rollout}): the candidate first runs as a
 * shadow of all traffic (weight 0, so the agreement guard scores it), then as a canary at each
 * step's weight, each phase held for its time on the routing thread; a phase that ends with the
 * candidate rolled back by a guard ends the rollout there, and passing the last one promotes it.
 * A policy put by anyone else in between supersedes the rollout. One rollout per model.
 */
final class Rollouts {
  private static final Logger log = LoggerFactory.getLogger(Rollouts.class);

  /** What an operator asks for. */
  record Plan(long candidate, int shadowSeconds, int stepSeconds, List<Double> steps,
      GuardConfig guards) {}

  /**
   * A rollout's progress, replaced whole at each phase; {@code registry} is what the registry
   * side made of its end (champion moved, ready to promote, version tagged), null until then.
   */
  record Progress(Plan plan, long stable, String phase, String outcome, RolloutOutcome then,
      String registry) {
    Progress at(String phase, String outcome) {
      return new Progress(plan, stable, phase, outcome, then, registry);
    }
  }

  private final TrafficTable table;
  private final ScheduledExecutorService scheduler;
  private final Map<String, Progress> progress = new ConcurrentHashMap<>();

  Rollouts(TrafficTable table, ScheduledExecutorService scheduler) {
    this.table = table;
    this.scheduler = scheduler;
  }

  void start(String model, long stable, Plan plan) {
    start(model, stable, plan, RolloutOutcome.NONE);
  }

  void start(String model, long stable, Plan plan, RolloutOutcome then) {
    TrafficPolicy shadow = new TrafficPolicy(stable, List.of(new Candidate(plan.candidate(), 0)),
        List.of(new Shadow(plan.candidate(), 1.0)), null, plan.guards(),
        TrafficPolicy.Comparison.ofDefaults());
    table.put(model, shadow);
    LiveState mine = table.state(model);
    progress.put(model, new Progress(plan, stable, "shadow", "running", then, null));
    log.info("rollout of model '{}' version {} over {}: shadow for {} s, then {}", model,
        plan.candidate(), stable, plan.shadowSeconds(), plan.steps());
    scheduler.schedule(() -> next(model, plan, mine, -1), plan.shadowSeconds(),
        TimeUnit.SECONDS);
  }

  /** On the routing thread: the phase {@code step} (-1: shadow) is over; go on or stop. */
  private void next(String model, Plan plan, LiveState mine, int step) {
    Progress p = progress.get(model);
    if (p == null || p.plan() != plan || !p.outcome().equals("running")) {
      return; // superseded already (an operator's PUT or promote, or a later rollout)
    }
    LiveState now = table.state(model);
    // A rollback keeps the policy object (only the live state changes): that is no supersession.
    if (p == null || now == null || now.policy() != mine.policy()) {
      finish(model, p, "superseded by another policy", RolloutOutcome.Result.SUPERSEDED);
      return;
    }
    long c = p.plan().candidate();
    if (now.isRolledBack(c)) {
      LiveState.Rollback rb = now.rolledBack().get(c);
      finish(model, p, "rolled back in " + p.phase() + ": " + rb.reason() + " (" + rb.detail()
          + ")", RolloutOutcome.Result.ROLLED_BACK);
      return;
    }
    int following = step + 1;
    if (following >= p.plan().steps().size()) {
      table.promote(model, c);
      finish(model, p, "promoted", RolloutOutcome.Result.PROMOTED);
      return;
    }
    double weight = p.plan().steps().get(following);
    table.put(model, new TrafficPolicy(p.stable(), List.of(new Candidate(c, weight)),
        List.of(new Shadow(c, 1.0)), null, p.plan().guards(),
        TrafficPolicy.Comparison.ofDefaults()));
    LiveState put = table.state(model);
    progress.put(model, p.at("canary " + weight + "%", "running"));
    scheduler.schedule(() -> next(model, plan, put, following), plan.stepSeconds(),
        TimeUnit.SECONDS);
  }

  private void finish(String model, Progress p, String outcome, RolloutOutcome.Result result) {
    if (p == null) {
      return;
    }
    progress.put(model, p.at(p.phase(), outcome));
    log.info("rollout of model '{}' version {}: {}", model, p.plan().candidate(), outcome);
    tell(model, p, result, outcome);
  }

  private static void tell(String model, Progress p, RolloutOutcome.Result result,
      String reason) {
    try {
      p.then().finished(model, p.plan().candidate(), result, reason);
    } catch (RuntimeException e) {
      log.error("rollout of model '{}': the outcome listener failed", model, e);
    }
  }

  /** An operator changed the policy: a running rollout stops where it is. */
  void supersede(String model, String by) {
    Progress[] was = new Progress[1];
    progress.computeIfPresent(model, (m, p) -> {
      if (!p.outcome().equals("running")) {
        return p;
      }
      was[0] = p;
      return p.at(p.phase(), "superseded by " + by);
    });
    if (was[0] != null) {
      tell(model, was[0], RolloutOutcome.Result.SUPERSEDED, "superseded by " + by);
    }
  }

  /** What the registry made of the end of {@code candidate}'s rollout, for the status JSON. */
  void note(String model, long candidate, String registry) {
    progress.computeIfPresent(model, (m, p) -> p.plan().candidate() == candidate
        ? new Progress(p.plan(), p.stable(), p.phase(), p.outcome(), p.then(), registry) : p);
  }

  boolean isRunning(String model) {
    Progress p = progress.get(model);
    return p != null && p.outcome().equals("running");
  }

  void write(String model, JsonGenerator g) throws IOException {
    Progress p = progress.get(model);
    if (p == null) {
      g.writeNullField("rollout");
      return;
    }
    g.writeObjectFieldStart("rollout");
    g.writeStringField("candidate", Long.toString(p.plan().candidate()));
    g.writeStringField("stable", Long.toString(p.stable()));
    g.writeStringField("phase", p.phase());
    g.writeStringField("outcome", p.outcome());
    if (p.registry() != null) {
      g.writeStringField("registry", p.registry());
    }
    g.writeEndObject();
  }
}
