package io.sluice.gateway.registry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.gateway.routing.RolloutOutcome;
import io.sluice.gateway.routing.Routing;
import io.sluice.registry.mlflow.MlflowClient;
import io.sluice.registry.mlflow.MlflowException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alias-driven rollouts: when the follower sees the challenger alias move to a new READY
 * version it starts a step-wise rollout of it ({@link Routing#startRollout}); when that ends it
 * writes the outcome back to MLflow. A promotion moves the champion alias there when allowed
 * ({@code --mlflow-promote}) and MLflow accepts it, else it is reported as ready to promote
 * (the traffic status and {@code sluice_rollout_ready_to_promote}); a roll-back tags the
 * version with its reason when allowed. The routing table is promoted in every case, so the
 * gateway serves the winner whether or not the registry could be told.
 *
 * <p>Registry calls run on {@code registryCalls}, never on the routing thread that reports
 * the outcome: a slow MLflow must not hold the guards.
 */
public final class AliasRollout implements MlflowFollower.ChallengerListener {
  private static final Logger log = LoggerFactory.getLogger(AliasRollout.class);
  /** The tag a rolled-back version gets, its value the reason. */
  public static final String ROLLBACK_TAG = "sluice.rollback";

  /**
   * @param shadowSeconds how long the candidate runs as a shadow of all traffic
   * @param stepSeconds how long each canary step is held
   * @param steps the canary weights, in percent, in order
   * @param writeBack whether to move the champion alias and tag rolled-back versions
   */
  public record Plan(int shadowSeconds, int stepSeconds, List<Double> steps, boolean writeBack) {
    public Plan {
      steps = List.copyOf(steps);
    }
  }

  /** The two registry writes a rollout's end makes; {@link #of} is MLflow's REST API. */
  public interface Writer {
    void moveAlias(String model, String alias, String version) throws MlflowException;

    void tagVersion(String model, String version, String key, String value)
        throws MlflowException;

    static Writer of(MlflowClient client) {
      return new Writer() {
        @Override
        public void moveAlias(String model, String alias, String version)
            throws MlflowException {
          client.setAlias(model, alias, version);
        }

        @Override
        public void tagVersion(String model, String version, String key, String value)
            throws MlflowException {
          client.setVersionTag(model, version, key, value);
        }
      };
    }
  }

  private final Routing routing;
  private final Writer client;
  private final String championAlias;
  private final Plan plan;
  private final Executor registryCalls;
  private final MeterRegistry meters;
  private final Map<String, AtomicLong> readyToPromote = new ConcurrentHashMap<>();

  public AliasRollout(Routing routing, Writer client, String championAlias, Plan plan,
      Executor registryCalls, MeterRegistry meters) {
    this.routing = routing;
    this.client = client;
    this.championAlias = championAlias;
    this.plan = plan;
    this.registryCalls = registryCalls;
    this.meters = meters;
  }

  @Override
  public void moved(String model, long serving, long challenger) {
    Optional<String> not = routing.startRollout(model, serving, challenger, plan.shadowSeconds(),
        plan.stepSeconds(), plan.steps(), this::finished);
    if (not.isPresent()) {
      log.warn("model '{}': challenger version {} not rolled out: {}", model, challenger,
          not.get());
      count(model, "not_started");
    }
  }

  /** On the routing thread: counts, then hands the registry's part to its own thread. */
  private void finished(String model, long candidate, RolloutOutcome.Result result,
      String reason) {
    count(model, result.name().toLowerCase(java.util.Locale.ROOT));
    switch (result) {
      case PROMOTED -> registryCalls.execute(() -> promote(model, candidate));
      case ROLLED_BACK -> registryCalls.execute(() -> tag(model, candidate, reason));
      case SUPERSEDED -> { }
    }
  }

  private void promote(String model, long candidate) {
    String v = Long.toString(candidate);
    if (plan.writeBack()) {
      try {
        client.moveAlias(model, championAlias, v);
        ready(model).set(0);
        note(model, candidate, championAlias + " moved to version " + v + " in MLflow");
        return;
      } catch (MlflowException e) {
        log.warn("model '{}': could not move {} to version {}: {}", model, championAlias, v,
            e.getMessage());
        ready(model).set(candidate);
        note(model, candidate, "ready to promote: MLflow refused to move " + championAlias
            + " to version " + v + " (" + e.getMessage() + ")");
        return;
      }
    }
    ready(model).set(candidate);
    note(model, candidate, "ready to promote: set " + championAlias + " to version " + v
        + " in MLflow (--mlflow-promote is false)");
  }

  private void tag(String model, long candidate, String reason) {
    if (!plan.writeBack()) {
      note(model, candidate, "not tagged in MLflow (--mlflow-promote is false)");
      return;
    }
    String v = Long.toString(candidate);
    try {
      client.tagVersion(model, v, ROLLBACK_TAG, reason);
      note(model, candidate, "tagged version " + v + " " + ROLLBACK_TAG + " in MLflow");
    } catch (MlflowException e) {
      log.warn("model '{}': could not tag version {}: {}", model, v, e.getMessage());
      note(model, candidate, "MLflow refused the tag " + ROLLBACK_TAG + " on version " + v
          + " (" + e.getMessage() + ")");
    }
  }

  private void note(String model, long candidate, String text) {
    log.info("model '{}' version {}: {}", model, candidate, text);
    routing.noteRollout(model, candidate, text);
  }

  private AtomicLong ready(String model) {
    return readyToPromote.computeIfAbsent(model, m -> {
      AtomicLong v = new AtomicLong();
      Gauge.builder("sluice_rollout_ready_to_promote", v, AtomicLong::get)
          .description("The version that passed an alias-driven rollout but whose champion"
              + " alias could not be moved in MLflow; 0 when none waits")
          .tag("model", m)
          .register(meters);
      return v;
    });
  }

  private void count(String model, String outcome) {
    Counter.builder("sluice_alias_rollouts")
        .description("Alias-driven rollouts by how they ended")
        .tags("model", model, "outcome", outcome)
        .register(meters)
        .increment();
  }
}
