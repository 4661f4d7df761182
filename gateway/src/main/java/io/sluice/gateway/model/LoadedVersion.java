package io.sluice.gateway.model;

import io.sluice.gateway.metrics.VersionStats;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.runtime.ModelSignature;
import io.sluice.runtime.Scheduler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One model version that is serving: its completed config, what the engine takes, the request
 * validator compiled from the config, the scheduler in front of its instances, its statistics,
 * and the labels of its classification outputs. It owns the scheduler (and through it the
 * backends) and closes it in {@link #close}.
 *
 * <p><b>Leases.</b> A request holds a lease on the version from the moment it resolves it
 * ({@link #tryAcquire}) until its completion has been shaped ({@link #release}); the count and a
 * draining flag share one {@link AtomicLong}, so admission is one compare-and-set and nothing
 * locks. {@link #retire} stops admission; its future completes when the last lease is released,
 * and only then does the lifecycle close the engine, so a swap never fails a request that was
 * already admitted.
 */
public final class LoadedVersion implements AutoCloseable {
  private final String name;
  private final long version;
  private final ModelConfig config;
  private final ModelSignature signature;
  private final Scheduler scheduler;
  private final VersionStats stats;
  private final Map<String, List<String>> labels;
  private final RequestValidator validator;
  // (leases in flight << 1) | draining
  private final AtomicLong leases = new AtomicLong();
  private final CompletableFuture<Void> drained = new CompletableFuture<>();
  private volatile VersionState state = VersionState.LOADING;

  LoadedVersion(
      String name,
      long version,
      ModelConfig config,
      ModelSignature signature,
      Scheduler scheduler,
      VersionStats stats,
      Map<String, List<String>> labels) {
    this.name = name;
    this.version = version;
    this.config = config;
    this.signature = signature;
    this.scheduler = scheduler;
    this.stats = stats;
    this.labels = Map.copyOf(labels);
    this.validator = RequestValidator.compile(name, config);
  }

  public String name() {
    return name;
  }

  public long version() {
    return version;
  }

  public String versionString() {
    return Long.toString(version);
  }

  public ModelConfig config() {
    return config;
  }

  public ModelSignature signature() {
    return signature;
  }

  public Scheduler scheduler() {
    return scheduler;
  }

  public VersionStats stats() {
    return stats;
  }

  /** The labels of an output's {@code label_filename}, or an empty list. */
  public List<String> labels(String output) {
    return labels.getOrDefault(output, List.of());
  }

  /** Checks requests against this version's config, once, before they are queued. */
  public RequestValidator validator() {
    return validator;
  }

  public VersionState state() {
    return state;
  }

  /**
   * Admits one request unless the version is draining. Every {@code true} must be paired with
   * exactly one {@link #release}.
   */
  public boolean tryAcquire() {
    while (true) {
      long s = leases.get();
      if ((s & 1) != 0) {
        return false;
      }
      if (leases.compareAndSet(s, s + 2)) {
        return true;
      }
    }
  }

  /** Ends one lease; the last one of a draining version completes {@link #retire}'s future. */
  public void release() {
    long s = leases.addAndGet(-2);
    if (s == 1) {
      drained.complete(null);
    } else if (s < 0) {
      throw new IllegalStateException("lease of '" + name + "' version " + version
          + " released more often than acquired");
    }
  }

  /** Requests admitted and not yet released. */
  public long inFlight() {
    return leases.get() >> 1;
  }

  /** LOADING → READY, once warmed up; on the lifecycle thread. */
  void markReady() {
    state = state.check(VersionState.READY);
  }

  /**
   * READY → DRAINING: admits nothing more. The future completes once every admitted request has
   * released its lease. On the lifecycle thread.
   */
  CompletableFuture<Void> retire() {
    state = state.check(VersionState.DRAINING);
    long before = leases.getAndUpdate(s -> s | 1);
    if (before == 0) {
      drained.complete(null);
    }
    return drained;
  }

  /** Drains and closes the scheduler and its backends; DRAINING → UNLOADED. */
  @Override
  public void close() {
    if (state == VersionState.READY) {
      retire();
    }
    scheduler.close();
    if (state == VersionState.DRAINING) {
      state = state.check(VersionState.UNLOADED);
    }
  }
}
