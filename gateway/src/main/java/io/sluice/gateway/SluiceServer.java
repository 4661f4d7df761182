package io.sluice.gateway;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sluice.gateway.core.DefaultServingApi;
import io.sluice.gateway.core.InferenceListener;
import io.sluice.gateway.core.MonitorQueries;
import io.sluice.gateway.core.ServingApi;
import io.sluice.gateway.grpc.GrpcConfig;
import io.sluice.gateway.grpc.GrpcFrontEnd;
import io.sluice.gateway.http.HttpConfig;
import io.sluice.gateway.http.HttpFrontEnd;
import io.sluice.gateway.metrics.MetricsServer;
import io.sluice.gateway.model.BackendRegistry;
import io.sluice.gateway.model.LifecycleConfig;
import io.sluice.gateway.model.ModelManager;
import io.sluice.gateway.monitor.DriftAlerts;
import io.sluice.gateway.monitor.DriftMonitor;
import io.sluice.registry.LocalModelRepository;
import io.sluice.registry.RepositoryException;
import io.sluice.runtime.BackendOptions;
import io.sluice.runtime.Device;
import io.sluice.runtime.Ticker;
import io.sluice.runtime.onnx.OnnxBackendProvider;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The whole process, wired: model manager, protocol-neutral core, HTTP and gRPC front ends sharing
 * one set of Netty event loops, and the metrics server. It owns everything it starts and closes
 * it in reverse order.
 */
public final class SluiceServer implements AutoCloseable {
  /** Sluice's version, reported by {@code GET /v2} and gRPC ServerMetadata. */
  public static final String VERSION = "0.1.0";

  private final ModelManager models;
  private final ServingApi api;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final HttpFrontEnd http;
  private final GrpcFrontEnd grpc;
  private final MetricsServer metrics;
  private final DriftMonitor monitor;
  private final ScheduledExecutorService monitorThread;

  private SluiceServer(
      ModelManager models,
      ServingApi api,
      EventLoopGroup boss,
      EventLoopGroup workers,
      HttpFrontEnd http,
      GrpcFrontEnd grpc,
      MetricsServer metrics,
      DriftMonitor monitor,
      ScheduledExecutorService monitorThread) {
    this.models = models;
    this.api = api;
    this.boss = boss;
    this.workers = workers;
    this.http = http;
    this.grpc = grpc;
    this.metrics = metrics;
    this.monitor = monitor;
    this.monitorThread = monitorThread;
  }

  /** Loads every model of the repository, then binds the three ports. */
  public static SluiceServer start(GatewayConfig config) throws IOException {
    BackendRegistry engines = BackendRegistry.of(new OnnxBackendProvider());
    return start(
        config, config.engine().kind() == GatewayConfig.Engine.ECHO ? engines.echo() : engines);
  }

  /** As {@link #start(GatewayConfig)}, with another engine (tests, the benchmark's echo). */
  public static SluiceServer start(GatewayConfig config, BackendRegistry backends)
      throws IOException {
    return start(config, backends, List.of());
  }

  /**
   * As {@link #start(GatewayConfig, BackendRegistry)}, telling {@code listeners} of every
   * finished inference after statistics and metrics (the drift tap, breakers, tests).
   */
  public static SluiceServer start(
      GatewayConfig config, BackendRegistry backends, List<InferenceListener> listeners)
      throws IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ExecutorService lifecycle =
        Executors.newSingleThreadExecutor(new DefaultThreadFactory("sluice-lifecycle", true));
    LifecycleConfig lifecycleConfig =
        new LifecycleConfig(
            config.models().defaultMaxBatchSize(),
            config.models().maxQueueSize(),
            new BackendOptions(
                Device.CPU,
                config.engine().onnxIntraOpThreads(),
                config.engine().onnxInterOpThreads(),
                config.engine().onnxSpinning(),
                Map.of()),
            false);
    LocalModelRepository repository;
    try {
      repository = LocalModelRepository.open(config.models().modelRepository());
    } catch (RepositoryException e) {
      throw new IllegalArgumentException(
          "--model-repository " + config.models().modelRepository() + ": " + e.getMessage(), e);
    }
    ModelManager models =
        new ModelManager(
            repository,
            lifecycleConfig,
            backends,
            registry,
            Clock.systemUTC(),
            Ticker.SYSTEM,
            lifecycle,
            java.time.Duration.ofSeconds(config.models().drainTimeoutSeconds()));
    models.loadAll().join();
    DriftMonitor monitor = null;
    ScheduledExecutorService monitorThread = null;
    List<InferenceListener> all = new ArrayList<>();
    if (config.drift().enabled()) {
      monitorThread =
          Executors.newSingleThreadScheduledExecutor(
              new DefaultThreadFactory("sluice-monitor", true));
      DriftAlerts alerts =
          new DriftAlerts(config.drift(), registry, Clock.systemUTC(), monitorThread, 1000);
      monitor =
          new DriftMonitor(
              config.drift(), config.models().modelRepository(), Clock.systemUTC(), registry,
              monitorThread, alerts, name -> models.ready(name, "").versionString());
      registry.getPrometheusRegistry().register(monitor.collector());
      all.add(monitor);
    }
    all.addAll(listeners);
    ServingApi api =
        new DefaultServingApi(
            models, config.models().strictReadiness(), Ticker.SYSTEM, VERSION, registry,
            all, monitor != null ? monitor : new MonitorQueries() {});
    EventLoopGroup boss =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("sluice-accept", true), NioIoHandler.newFactory());
    EventLoopGroup workers =
        new MultiThreadIoEventLoopGroup(
            config.network().eventLoopThreads(),
            new DefaultThreadFactory("sluice-io", true),
            NioIoHandler.newFactory());
    NetworkConfig net = config.network();
    HttpFrontEnd http = null;
    GrpcFrontEnd grpc = null;
    try {
      http =
          HttpFrontEnd.start(
              new HttpConfig(net.host(), net.httpPort(), net.maxRequestBytes()),
              api,
              boss,
              workers,
              net.contextHeaders());
      grpc =
          GrpcFrontEnd.start(
              new GrpcConfig(net.host(), net.grpcPort(), net.maxGrpcMessageBytes()),
              api,
              boss,
              workers,
              net.contextHeaders());
      MetricsServer metrics = MetricsServer.start(net.host(), net.metricsPort(), registry);
      return new SluiceServer(
          models, api, boss, workers, http, grpc, metrics, monitor, monitorThread);
    } catch (IOException | RuntimeException e) {
      if (grpc != null) {
        grpc.close();
      }
      if (http != null) {
        http.close();
      }
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      if (monitor != null) {
        monitor.close();
        monitorThread.shutdownNow();
      }
      models.close();
      throw e;
    }
  }

  public int httpPort() {
    return http.port();
  }

  public int grpcPort() {
    return grpc.port();
  }

  public int metricsPort() {
    return metrics.port();
  }

  public ServingApi api() {
    return api;
  }

  @Override
  public void close() {
    grpc.close();
    http.close();
    metrics.close();
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    if (monitor != null) {
      monitor.close();
      monitorThread.shutdownNow();
    }
    models.close();
  }
}
