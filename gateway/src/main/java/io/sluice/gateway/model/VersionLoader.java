package io.sluice.gateway.model;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.gateway.metrics.VersionMeters;
import io.sluice.gateway.metrics.VersionStats;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelOutput;
import io.sluice.registry.ContainedPath;
import io.sluice.registry.RepositoryException;
import io.sluice.registry.VersionSource;
import io.sluice.runtime.Backend;
import io.sluice.runtime.BatcherConfig;
import io.sluice.runtime.ModelSignature;
import io.sluice.runtime.BackendOptions;
import io.sluice.runtime.BackendProvider;
import io.sluice.runtime.Scheduler;
import io.sluice.runtime.Schedulers;
import io.sluice.runtime.SafeText;
import io.sluice.runtime.Status;
import io.sluice.runtime.Ticker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns one version folder into a {@link LoadedVersion}: open the first backend, complete the
 * config from its signature, open the remaining instances, start the scheduler, warm up. On any
 * failure everything opened so far is closed and the failure is thrown.
 */
final class VersionLoader {
  /** The start of a load error no {@link ConfigChecks} rule names; tests treat it as a gap. */
  static final String UNCHECKED_CONFIG = "the configuration has a value the runtime refuses";

  private final BackendRegistry backends;
  private final LifecycleConfig config;
  private final AutoFill autoFill;
  private final MeterRegistry registry;
  private final Clock clock;
  private final Ticker ticker;
  // Meters belong to (model, version) and outlive reloads; only the lifecycle thread writes here.
  private final Map<String, VersionMeters> meters = new ConcurrentHashMap<>();

  VersionLoader(
      BackendRegistry backends,
      LifecycleConfig config,
      MeterRegistry registry,
      Clock clock,
      Ticker ticker) {
    this.backends = backends;
    this.config = config;
    this.autoFill = new AutoFill(config.defaultMaxBatchSize());
    this.registry = registry;
    this.clock = clock;
    this.ticker = ticker;
  }

  LoadedVersion load(String name, Path modelDir, ModelConfig given, VersionSource source) {
    List<Backend> instances = new ArrayList<>();
    Scheduler scheduler = null;
    String version = Long.toString(source.version());
    String key = name + "\u0000" + version;
    boolean newMeters = !meters.containsKey(key);
    VersionMeters versionMeters =
        meters.computeIfAbsent(key, k -> new VersionMeters(registry, name, version));
    try {
      ConfigChecks.check(given);
      BackendProvider engine = backends.select(given, source.modelFile());
      BackendOptions options = RuntimeConfigs.backendOptions(given, config.backendDefaults());
      Backend first = engine.open(source.modelFile(), options);
      instances.add(first);
      if (options.device().isAuto()) {
        // The other instances go where the first landed, and the config says where that is.
        options = options.withDevice(first.device());
      }
      ModelSignature signature = first.signature();
      source.declared().ifPresent(d -> SignatureCheck.check(name, d, signature));
      ModelConfig completed = RuntimeConfigs.withResolvedDevice(
          autoFill.complete(name, given, signature, engine), first.device());
      ConfigChecks.check(completed);
      int count = RuntimeConfigs.instanceCount(completed);
      for (int i = 1; i < count; i++) {
        instances.add(engine.open(source.modelFile(), options));
      }
      Map<String, List<String>> labels = readLabels(name, modelDir, completed);
      BatcherConfig batcher = RuntimeConfigs.batcher(
          completed, config.globalMaxQueueSize(), config.maxQueueTimeMicros());
      VersionStats stats = new VersionStats(name, version, clock, versionMeters);
      scheduler = Schedulers.create(name + "-" + version, batcher, instances, ticker, stats);
      LoadedVersion loaded =
          new LoadedVersion(name, source.version(), completed, signature, scheduler, stats, labels);
      Warmup.run(loaded, modelDir);
      if (source.immutable() && completed.getModelWarmupCount() == 0) {
        // A registry version is published under live traffic: run it once before it is.
        Warmup.runFromSignature(loaded);
      }
      // Only now does the gauge follow the new queue: until it is published the old copy serves.
      versionMeters.bindPending(scheduler::pendingCount);
      return loaded;
    } catch (RuntimeException e) {
      close(scheduler, instances, newMeters, name, source.version());
      if (e instanceof IllegalArgumentException || e instanceof ArithmeticException) {
        // The runtime refused a value of the configuration that ConfigChecks does not name: the
        // load's caller wrote it, so a load error, not an internal one (the fuzz test fails on
        // this message: every such value gets its check).
        throw Status.invalidArgument(UNCHECKED_CONFIG + ": " + SafeText.message(e, "invalid"))
            .withCause(e)
            .asException();
      }
      throw e;
    }
  }

  /** Closes what a failed load opened. */
  private void close(Scheduler scheduler, List<Backend> instances, boolean newMeters,
      String name, long version) {
    if (scheduler != null) {
      scheduler.close();
    } else {
      instances.forEach(Backend::close);
    }
    if (newMeters) {
      forgetMeters(name, version);
    }
  }

  /** Removes a version's Prometheus series: it is no longer served. */
  void forgetMeters(String name, long version) {
    VersionMeters m = meters.remove(name + "\u0000" + version);
    if (m != null) {
      m.remove();
    }
  }

  /**
   * The labels of each output with a {@code label_filename}, which Triton resolves in the model
   * folder (next to {@code config.pbtxt}); the file must be there, symbolic links followed.
   */
  private static Map<String, List<String>> readLabels(
      String name, Path modelDir, ModelConfig config) {
    Map<String, List<String>> labels = new HashMap<>();
    for (ModelOutput out : config.getOutputList()) {
      if (out.getLabelFilename().isEmpty()) {
        continue;
      }
      String what = "label_filename \"" + out.getLabelFilename() + "\" of output '"
          + out.getName() + "'";
      Path file;
      try {
        file = ContainedPath.resolve(modelDir, out.getLabelFilename(), what)
            .orElseThrow(() -> Status.invalidArgument(
                    what + " is not in the folder of model '" + name + "' (expected: a text"
                        + " file next to config.pbtxt, one label per line)")
                .asException());
      } catch (RepositoryException e) {
        throw Status.invalidArgument(e.getMessage()).asException();
      }
      try {
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          lines.add(line.strip());
        }
        labels.put(out.getName(), List.copyOf(lines));
      } catch (IOException e) {
        throw Status.invalidArgument(
                what + " cannot be read (expected: a UTF-8 text file, one label per line)")
            .asException();
      }
    }
    return labels;
  }
}
