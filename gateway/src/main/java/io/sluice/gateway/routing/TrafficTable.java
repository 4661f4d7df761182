package io.sluice.gateway.routing;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.gateway.model.SelectorDecorator;
import io.sluice.gateway.model.VersionEntry;
import io.sluice.gateway.model.VersionSelector;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;

/**
 * Every model's traffic policy in force: one {@link AtomicReference} of {@link LiveState} per
 * model, read once per request by the model's {@link TrafficSelector} and replaced whole by a
 * PUT, a promote or a rollback, so a change takes effect at the next request without a restart
 * and without failing one (requests already admitted finish on the version they leased).
 *
 * <p>It is the {@link SelectorDecorator} the model manager applies to each snapshot it
 * publishes. Guards trip here: {@link #rollback} is one compare-and-set, and {@link #tick} (the
 * guard thread, once a second) slides the latency windows and compares each candidate's p99 with
 * stable's.
 *
 * <p>With a {@link PolicyStore}, every change (a put, a promote, a rollback, a rollout's step) is
 * saved, so a restart restores the policy in force ({@link PolicyRestore}).
 */
public final class TrafficTable implements SelectorDecorator {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TrafficTable.class);

  private final Map<String, AtomicReference<LiveState>> states = new ConcurrentHashMap<>();
  private final Clock clock;
  private final DoubleSupplier random;
  private final RollbackNotifier notifier;
  private final PolicyStore store;
  private final Executor storeWriter;

  /**
   * @param clock for the guards' breakers and the status's timestamps
   * @param random uniform in [0, 1), thread-safe: arm and shadow choice for keyless requests
   * @param webhook where rollbacks are POSTed, null for none
   */
  public TrafficTable(MeterRegistry meters, Clock clock, DoubleSupplier random, URI webhook) {
    this(meters, clock, random, webhook, null, Runnable::run);
  }

  /**
   * As above, saving every change to {@code store} (null: none) on {@code storeWriter}, one
   * thread, so the files are written in order and off the threads that change the policies.
   */
  TrafficTable(MeterRegistry meters, Clock clock, DoubleSupplier random, URI webhook,
      PolicyStore store, Executor storeWriter) {
    this.clock = clock;
    this.random = random;
    this.notifier = new RollbackNotifier(meters, webhook);
    this.store = store;
    this.storeWriter = storeWriter;
  }

  @Override
  public VersionSelector decorate(
      String model, NavigableMap<Long, VersionEntry> versions, VersionSelector base) {
    return new TrafficSelector(model, versions, base, ref(model), random);
  }

  private AtomicReference<LiveState> ref(String model) {
    return states.computeIfAbsent(model, m -> new AtomicReference<>());
  }

  /** The model's state in force, or null without a policy. */
  LiveState state(String model) {
    AtomicReference<LiveState> r = states.get(model);
    return r == null ? null : r.get();
  }

  /** Puts {@code policy} in force with fresh guards. */
  public void put(String model, TrafficPolicy policy) {
    ref(model).set(LiveState.of(model, policy, clock));
    save(model);
  }

  /** Removes the model's policy: its snapshot's default selection serves again. */
  void clear(String model) {
    ref(model).set(null);
    save(model);
  }

  /**
   * Sets a candidate's weight to 0 at once. Returns false (and tells nobody) when it is no
   * candidate of the policy in force or was already rolled back.
   */
  boolean rollback(String model, long version, String reason, String detail) {
    AtomicReference<LiveState> r = ref(model);
    while (true) {
      LiveState s = r.get();
      if (s == null || s.policy().candidate(version) == null || s.isRolledBack(version)) {
        return false;
      }
      java.time.Instant at = clock.instant();
      if (r.compareAndSet(s, s.rollBack(version, new LiveState.Rollback(reason, detail, at)))) {
        save(model);
        notifier.rolledBack(model, version, reason, detail, at);
        return true;
      }
    }
  }

  /** Makes {@code version} stable with fresh guards; false when there is no policy. */
  boolean promote(String model, long version) {
    AtomicReference<LiveState> r = ref(model);
    LiveState s = r.get();
    if (s == null) {
      return false;
    }
    r.set(LiveState.of(model, s.policy().promote(version), clock));
    save(model);
    return true;
  }

  /**
   * Saves the model's policy as it is in force when the writer gets to it, not as it was when
   * asked: writes run in order on one thread, so the last one leaves the latest state on disk,
   * however the changes raced.
   */
  private void save(String model) {
    if (store == null) {
      return;
    }
    try {
      storeWriter.execute(() -> {
        LiveState s = state(model);
        store.save(model, s == null ? null : s.inForce());
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Shutting down: the writer has stopped taking work, and said so in the log.
      log.warn(
          "traffic policy of model '{}' changed during shutdown: not saved", model);
    }
  }

  /**
   * The guard thread's tick: slides every latency window by one interval, then rolls back each
   * candidate whose p99 exceeds {@code p99_ratio} × stable's p99 + {@code margin_ms}, once both
   * have {@code min_samples} in the window.
   */
  public void tick() {
    for (Map.Entry<String, AtomicReference<LiveState>> e : states.entrySet()) {
      LiveState s = e.getValue().get();
      if (s == null) {
        continue;
      }
      s.stableLatency().tick();
      GuardConfig g = s.policy().guards();
      for (CandidateGuard guard : s.guards().values()) {
        guard.latency().tick();
        if (!g.latencyEnabled() || s.isRolledBack(guard.version())) {
          continue;
        }
        LatencyWindow c = guard.latency();
        LatencyWindow st = s.stableLatency();
        if (c.count() < g.latencyMinSamples() || st.count() < g.latencyMinSamples()) {
          continue;
        }
        double limit = st.p99Micros() * g.p99Ratio() + g.p99Margin().toNanos() / 1000.0;
        if (c.p99Micros() > limit) {
          rollback(e.getKey(), guard.version(), "latency_p99", String.format(
              java.util.Locale.ROOT,
              "p99 %.1f ms over %d answers vs stable's %.1f ms over %d (limit %.1f ms)",
              c.p99Micros() / 1000.0, c.count(), st.p99Micros() / 1000.0, st.count(),
              limit / 1000.0));
        }
      }
    }
  }
}
