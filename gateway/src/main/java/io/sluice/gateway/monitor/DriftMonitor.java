package io.sluice.gateway.monitor;

import com.fasterxml.jackson.core.JsonGenerator;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.gateway.core.InferenceEvent;
import io.sluice.gateway.core.InferenceListener;
import io.sluice.gateway.core.MonitorQueries;
import io.sluice.gateway.model.LoadedVersion;
import io.sluice.proto.inference.ModelConfigProto.ModelParameter;
import io.sluice.runtime.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process drift monitor: the {@link DriftTap} on the request path, and on one monitor
 * thread (an injected executor) everything else — per-version windows, statistics, alerts. Start
 * reading here. The front ends reach it through {@link MonitorQueries}: {@code GET
 * /v2/models/{m}[/versions/{v}]/drift} reads the volatile report of the last completed window;
 * Prometheus reads the lifetime counters through {@link DriftCollector}.
 *
 * <p>A version's reference is {@code reference_profile.json} in its version folder of the
 * repository (read on the monitor thread when the version's first record arrives); without one,
 * its first live rows become the reference.
 */
public final class DriftMonitor implements InferenceListener, MonitorQueries, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DriftMonitor.class);
  /** A model's config parameter naming columns that alert on their own (comma-separated). */
  static final String ALERT_COLUMNS = "sluice.drift.alert_columns";

  private final DriftConfig config;
  private final Path repository;
  private final Clock clock;
  private final DriftTap tap;
  private final DriftAlerts alerts;
  private final Function<String, String> servingVersion;
  /** Monitor thread only. */
  private final Map<LoadedVersion, VersionMonitor> byVersion = new IdentityHashMap<>();
  /** model → version → monitor; written by the monitor thread, read by any. */
  private final Map<String, Map<String, VersionMonitor>> byName = new ConcurrentHashMap<>();
  private final ScheduledExecutorService executor;
  private final ScheduledFuture<?> task;
  private final PredictionLog predictionLog;
  private final FeedbackStore feedback;
  /** Monitor thread only: per version, what the log leaves out. */
  private final Map<LoadedVersion, Set<String>> redactions = new IdentityHashMap<>();
  /**
   * The monitor thread's period. Each timed wake-up costs its thread 0.1–0.25 ms of CPU on a VM
   * whatever it then does (measured here: a no-op task every 20 ms took 7–9 ms of CPU a second,
   * every 100 ms 2 ms), so the monitor wakes seldom, and the tap asks for an early step when a
   * quarter of its slots wait ({@link #wake}).
   */
  static final long STEP_MILLIS = 100;
  /** An early step is queued and has not begun. */
  private final AtomicBoolean woken = new AtomicBoolean();
  private final Runnable earlyStep = () -> {
    woken.set(false);
    runSafely();
  };

  /**
   * @param repository the model repository root, where profiles are looked up
   * @param executor runs the monitor thread's work (one thread: everything here assumes it)
   * @param servingVersion the version a request without one would get, for the endpoint
   */
  public DriftMonitor(DriftConfig config, Path repository, Clock clock, MeterRegistry meters,
      ScheduledExecutorService executor, DriftAlerts alerts,
      Function<String, String> servingVersion) {
    this(config, repository, clock, meters, executor, alerts, servingVersion, null);
  }

  /** As above, also writing each monitored request to {@code predictionLog} (may be null). */
  public DriftMonitor(DriftConfig config, Path repository, Clock clock, MeterRegistry meters,
      ScheduledExecutorService executor, DriftAlerts alerts,
      Function<String, String> servingVersion, PredictionLog predictionLog) {
    this.predictionLog = predictionLog;
    this.feedback = new FeedbackStore(100_000, 24L * 3600 * 1000, clock, meters);
    this.config = config;
    this.repository = repository;
    this.clock = clock;
    this.tap = new DriftTap(config, clock, meters, DriftTap::rateLimiter, this::wake);
    this.alerts = alerts;
    this.servingVersion = servingVersion;
    this.executor = executor;
    this.task = executor == null ? null
        : executor.scheduleWithFixedDelay(this::runSafely, STEP_MILLIS, STEP_MILLIS,
            TimeUnit.MILLISECONDS);
  }

  @Override
  public void onInference(InferenceEvent event) {
    tap.onInference(event);
  }

  /**
   * From the request path: queues one early step unless one is already queued. It never waits
   * for the step; it takes the executor's queue lock for one insertion, and at most once per
   * step.
   */
  private void wake() {
    if (executor != null && woken.compareAndSet(false, true)) {
      try {
        executor.execute(earlyStep);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // shutting down: close() runs the last step
      }
    }
  }

  private void runSafely() {
    try {
      drain();
    } catch (RuntimeException e) {
      log.warn("drift monitor: {}", e.toString(), e);
    }
  }

  /** The monitor thread's step: file every handed-off slot, then close panes whose time is up. */
  void drain() {
    for (TapSlot slot; (slot = tap.poll()) != null; ) {
      try {
        VersionMonitor m = monitorFor(slot.version);
        m.add(slot);
        if (!slot.shadow) {
          double predicted = m.predicted(slot);
          if (!Double.isNaN(predicted)) {
            feedback.record(slot.requestId, m, slot.route, predicted, slot.epochMillis);
          }
        }
        if (predictionLog != null) {
          predictionLog.append(slot, m.model, m.version, m.layout(), m.columnNames(),
              redactions.computeIfAbsent(slot.version, v -> PredictionLog.redacted(v.config())));
        }
      } finally {
        tap.recycle(slot);
      }
    }
    if (predictionLog != null) {
      predictionLog.endBatch();
    }
    long now = clock.millis();
    for (VersionMonitor m : byVersion.values()) {
      m.tick(now);
    }
  }

  private VersionMonitor monitorFor(LoadedVersion v) {
    VersionMonitor m = byVersion.get(v);
    if (m != null) {
      return m;
    }
    ProfileJson.Loaded profile = null;
    // A model followed from MLflow has no folder repository (null): its live rows are the
    // reference until profiles travel as registry artifacts.
    Path file = repository == null ? null : repository.resolve(v.name())
        .resolve(v.versionString()).resolve(ProfileJson.FILE_NAME);
    if (file != null && Files.isRegularFile(file)) {
      try {
        profile = ProfileJson.read(file);
      } catch (IOException e) {
        log.warn("model '{}' version {}: {}; its first {} live rows become the reference",
            v.name(), v.versionString(), e.getMessage(), config.bootstrapRows());
      }
    }
    ModelParameter named = v.config().getParametersMap().get(ALERT_COLUMNS);
    Set<String> alertColumns = named == null ? Set.of()
        : Arrays.stream(named.getStringValue().split(",")).map(String::strip)
            .filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
    m = new VersionMonitor(v.name(), v.versionString(), tap.plan(v).layout, config, profile,
        alertColumns, alerts::onWindow);
    byVersion.put(v, m);
    byName.computeIfAbsent(v.name(), k -> new ConcurrentHashMap<>()).put(v.versionString(), m);
    return m;
  }

  /** The Prometheus series, read at scrape time. */
  public io.prometheus.metrics.model.registry.MultiCollector collector() {
    return new DriftCollector(() -> monitors());
  }

  /** Every version monitored so far (the metrics). */
  List<VersionMonitor> monitors() {
    return byName.values().stream().flatMap(x -> x.values().stream()).toList();
  }

  @Override
  public void writeDrift(String model, String version, JsonGenerator g) throws IOException {
    DriftJson.write(g, find(model, version), config);
  }

  @Override
  public io.sluice.gateway.core.FeedbackResult feedback(String model,
      List<io.sluice.gateway.core.MonitorQueries.Label> labels) {
    if (!byName.containsKey(model)) {
      throw Status.notFound("no predictions of model '" + model + "' to join labels to"
          + " (expected: a monitored model that has answered requests with ids)").asException();
    }
    return feedback.label(model, labels);
  }

  @Override
  public void checkDrift(String model, String version) {
    find(model, version);
  }

  private VersionMonitor find(String model, String version) {
    Map<String, VersionMonitor> versions = byName.get(model);
    String v = version;
    if (v.isEmpty()) {
      try {
        v = servingVersion.apply(model);
      } catch (RuntimeException e) {
        v = versions == null ? "" : versions.keySet().stream()
            .max((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b))).orElse("");
      }
    }
    VersionMonitor m = versions == null ? null : versions.get(v);
    if (m == null) {
      throw Status.notFound("no drift data for model '" + model + "'"
          + (v.isEmpty() ? "" : " version " + v)
          + " (expected: a model that has answered at least one request since start-up)")
          .asException();
    }
    return m;
  }

  @Override
  public void close() {
    if (task != null) {
      task.cancel(false);
      // The executor's one thread runs its tasks in turn: once this one has run, no step is in
      // progress (the prediction log's open chunk is the monitor thread's), and what the tap
      // still held is filed and logged.
      try {
        executor.submit(this::runSafely).get(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
          | java.util.concurrent.RejectedExecutionException e) {
        log.debug("drift monitor: last step at close: {}", e.toString());
      }
    }
    alerts.close();
    if (predictionLog != null) {
      predictionLog.close();
    }
  }
}
