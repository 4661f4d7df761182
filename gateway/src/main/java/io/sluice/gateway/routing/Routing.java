package io.sluice.gateway.routing;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.gateway.core.InferenceListener;
import io.sluice.gateway.core.RoutingHooks;
import io.sluice.gateway.model.ModelManager;
import io.sluice.gateway.model.SelectorDecorator;
import io.sluice.gateway.request.ContextHeaders;
import io.sluice.runtime.Ticker;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.DoubleSupplier;

/**
 * Traffic routing, assembled once at start-up: the {@link TrafficTable} (the model manager's
 * selector decorator), the listeners that feed the guards and count routes, the fault injector,
 * the shadow runner and the admin API. Two orders matter: the decorator goes into the model
 * manager's constructor, and {@link #hooks} needs that manager.
 */
public final class Routing {
  private final TrafficTable table;
  private final Faults faults;
  private final ShadowScores scores;
  private final Executor shadowExecutor;
  private final int shadowQueueSize;
  private final int shadowMaxInFlight;
  private final List<InferenceListener> listeners;
  private final Rollouts rollouts;
  private final ScheduledExecutorService scheduler;
  private final PolicyRestore restore;

  /**
   * @param random uniform in [0, 1), thread-safe (arms, shadow fractions, injected errors)
   * @param scheduler the routing thread: guard ticks, injected delays and rollout steps
   * @param shadowExecutor one thread: runs and scores shadow copies
   * @param rollbackWebhook where rollbacks are POSTed; null: nowhere
   * @param stateDir where each model's policy is kept; null: in memory only
   * @param stateWriter writes to {@code stateDir}: one thread that may block on the disk, and
   *     that the caller drains at shutdown so the last change is on disk (with no {@code
   *     stateDir} nothing runs on it)
   * @throws java.io.UncheckedIOException when {@code stateDir} cannot be created or written
   */
  public Routing(MeterRegistry meters, Clock clock, DoubleSupplier random,
      ScheduledExecutorService scheduler, Executor shadowExecutor, URI rollbackWebhook,
      int shadowQueueSize, int shadowMaxInFlight, Path stateDir, Executor stateWriter) {
    PolicyStore store = stateDir == null ? null : PolicyStore.open(stateDir, meters);
    this.table = new TrafficTable(meters, clock, random, rollbackWebhook, store, stateWriter);
    this.restore = new PolicyRestore(table, store, clock);
    this.scheduler = scheduler;
    this.faults = new Faults(meters, random, scheduler);
    this.scores = new ShadowScores(meters);
    this.shadowExecutor = shadowExecutor;
    this.shadowQueueSize = shadowQueueSize;
    this.shadowMaxInFlight = shadowMaxInFlight;
    this.listeners = List.of(new GuardListener(table), new RouteMeters(meters));
    this.rollouts = new Rollouts(table, scheduler);
  }

  public SelectorDecorator decorator() {
    return table;
  }

  /** The guard and route listeners, for the completion pipeline. */
  public List<InferenceListener> listeners() {
    return listeners;
  }

  /**
   * The core's hooks: admin API, fault injection, shadow sink. Called once: it builds the shadow
   * runner, which tells {@code shadowListeners} (the drift monitor, the prediction log) of every
   * shadow run as a SHADOW event, timed with {@code ticker}.
   */
  public RoutingHooks hooks(ModelManager models, ContextHeaders headers,
      List<InferenceListener> shadowListeners, Ticker ticker) {
    ShadowRunner shadows = new ShadowRunner(table, scores, shadowExecutor, shadowQueueSize,
        shadowMaxInFlight, shadowListeners, ticker);
    return new RoutingHooks(
        new TrafficAdmin(models, table, faults, scores, headers, rollouts, restore), faults,
        shadows);
  }

  /**
   * Puts the policies saved in the state folder back in force (see {@link PolicyRestore}); call
   * once, after the models' first load and before the front ends take requests. Nothing without
   * a state folder.
   */
  public void restore(ModelManager models, ContextHeaders headers) {
    restore.run(models, java.util.Set.copyOf(headers.names()));
  }

  /**
   * Starts a step-wise rollout of {@code candidate} (READY already) for code rather than an
   * operator: the MLflow follower, when the challenger alias moves. The stable version is the
   * policy's when there is one, else {@code serving}. Default guards.
   *
   * @return why it did not start (one is running, or the candidate is stable), empty if it did
   */
  public java.util.Optional<String> startRollout(String model, long serving, long candidate,
      int shadowSeconds, int stepSeconds, List<Double> steps, RolloutOutcome then) {
    if (rollouts.isRunning(model)) {
      return java.util.Optional.of("a rollout is already running for model '" + model + "'");
    }
    LiveState s = table.state(model);
    long stable = s != null ? s.policy().stable() : serving;
    if (stable == candidate) {
      return java.util.Optional.of("version " + candidate + " is already stable");
    }
    rollouts.start(model, stable, new Rollouts.Plan(candidate, shadowSeconds, stepSeconds,
        List.copyOf(steps), GuardConfig.ofDefaults()), then);
    return java.util.Optional.empty();
  }

  /** Records in the traffic status what the registry made of a finished rollout. */
  public void noteRollout(String model, long candidate, String registry) {
    rollouts.note(model, candidate, registry);
  }

  /** The guard thread's once-a-second work (see {@link TrafficTable#tick}). */
  public void tick() {
    table.tick();
  }

  /** The rollouts, for this package's tests. */
  Rollouts rolloutsForTest() {
    return rollouts;
  }

  /** The table itself, for tests and for code that sets a policy programmatically. */
  public TrafficTable table() {
    return table;
  }
}
