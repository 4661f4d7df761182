package io.sluice.gateway.model;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.gateway.metrics.VersionMeters;
import io.sluice.gateway.metrics.VersionStats;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelOutput;
import io.sluice.registry.VersionSource;
import io.sluice.runtime.Backend;
import io.sluice.runtime.BatcherConfig;
import io.sluice.runtime.ModelSignature;
import io.sluice.runtime.BackendOptions;
import io.sluice.runtime.BackendProvider;
import io.sluice.runtime.Scheduler;
import io.sluice.runtime.Schedulers;
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
      BackendProvider engine = backends.select(given);
      BackendOptions options =
          RuntimeConfigs.backendOptions(given, config.backendDefaults(), config.cudaAvailable());
      Backend first = engine.open(source.modelFile(), options);
      instances.add(first);
      ModelSignature signature = first.signature();
      source.declared().ifPresent(d -> SignatureCheck.check(name, d, signature));
      ModelConfig completed = autoFill.complete(name, given, signature, engine);
      int count = RuntimeConfigs.instanceCount(completed);
      for (int i = 1; i < count; i++) {
        instances.add(engine.open(source.modelFile(), options));
      }
      Map<String, List<String>> labels = readLabels(modelDir, completed);
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
      if (scheduler != null) {
        scheduler.close();
      } else {
        instances.forEach(Backend::close);
      }
      if (newMeters) {
        forgetMeters(name, source.version());
      }
      throw e;
    }
  }

  /** Removes a version's Prometheus series: it is no longer served. */
  void forgetMeters(String name, long version) {
    VersionMeters m = meters.remove(name + "\u0000" + version);
    if (m != null) {
      m.remove();
    }
  }

  private static Map<String, List<String>> readLabels(Path modelDir, ModelConfig config) {
    Map<String, List<String>> labels = new HashMap<>();
    for (ModelOutput out : config.getOutputList()) {
      if (out.getLabelFilename().isEmpty()) {
        continue;
      }
      Path file = modelDir.resolve(out.getLabelFilename()).normalize();
      if (!file.startsWith(modelDir.normalize())) {
        throw Status.invalidArgument(
                "label_filename '" + out.getLabelFilename() + "' leaves the model folder")
            .asException();
      }
      try {
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          lines.add(line.strip());
        }
        labels.put(out.getName(), List.copyOf(lines));
      } catch (IOException e) {
        throw Status.invalidArgument(
                "cannot read label_filename '" + out.getLabelFilename() + "' of output '"
                    + out.getName() + "': " + e.getMessage())
            .asException();
      }
    }
    return labels;
  }
}
