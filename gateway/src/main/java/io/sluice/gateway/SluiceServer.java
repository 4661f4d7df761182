package io.sluice.gateway;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sluice.gateway.core.DefaultServingApi;
import io.sluice.gateway.routing.Routing;
import io.sluice.gateway.core.Admission;
import io.sluice.gateway.core.DrainGate;
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
import io.sluice.gateway.net.Transports;
import io.sluice.gateway.monitor.DriftAlerts;
import io.sluice.gateway.monitor.DriftMonitor;
import io.sluice.gateway.monitor.PredictionLog;
import io.sluice.gateway.request.RequestIds;
import io.sluice.gateway.security.ServerSecurity;
import io.sluice.gateway.core.RegistryWebhook;
import io.sluice.gateway.registry.CompositeRepository;
import io.sluice.gateway.registry.FolderPoller;
import io.sluice.gateway.registry.MlflowWebhook;
import io.sluice.gateway.registry.AliasRollout;
import io.sluice.gateway.registry.MlflowFollower;
import io.sluice.gateway.registry.RegistryRepository;
import io.sluice.gateway.tracing.Tracing;
import io.sluice.registry.LocalModelRepository;
import io.sluice.registry.ModelRepository;
import io.sluice.registry.mlflow.MlflowClient;
import io.sluice.registry.mlflow.MlflowCredentials;
import io.sluice.registry.mlflow.ModelCache;
import io.sluice.registry.mlflow.RetryPolicy;
import io.sluice.registry.mlflow.Sleeper;
import io.sluice.registry.RepositoryException;
import io.sluice.runtime.BackendOptions;
import io.sluice.runtime.Device;
import io.sluice.runtime.Ticker;
import io.sluice.runtime.onnx.OnnxBackendProvider;
import io.sluice.runtime.tensorflow.TensorFlowBackendProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole process, wired: model manager, protocol-neutral core, HTTP and gRPC front ends sharing
 * one set of Netty event loops, and the metrics server. It owns everything it starts and closes
 * it in reverse order.
 */
public final class SluiceServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SluiceServer.class);
  private static final Duration STATE_WRITE_GRACE = Duration.ofSeconds(5);
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
  private final DrainGate gate;
  private final Duration shutdownGrace;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ServerSecurity security;
  private final ScheduledExecutorService credentials;
  // The routing thread (guard ticks, injected delays) and the shadow thread.
  private final List<ExecutorService> routingThreads;
  // Writes --traffic-state-dir; drained, not cut, at shutdown, so the last change is saved.
  private final ExecutorService stateThread;
  private final Optional<MlflowFollower> follower;
  private final Optional<FolderPoller> folderPoller;
  private final Tracing tracing;

  private SluiceServer(
      ModelManager models,
      ServingApi api,
      EventLoopGroup boss,
      EventLoopGroup workers,
      HttpFrontEnd http,
      GrpcFrontEnd grpc,
      MetricsServer metrics,
      DrainGate gate,
      Duration shutdownGrace,
      ServerSecurity security,
      ScheduledExecutorService credentials,
      List<ExecutorService> routingThreads,
      ExecutorService stateThread,
      DriftMonitor monitor,
      ScheduledExecutorService monitorThread,
      Optional<MlflowFollower> follower,
      Optional<FolderPoller> folderPoller,
      Tracing tracing) {
    this.tracing = tracing;
    this.follower = follower;
    this.folderPoller = folderPoller;
    this.gate = gate;
    this.shutdownGrace = shutdownGrace;
    this.models = models;
    this.api = api;
    this.boss = boss;
    this.workers = workers;
    this.http = http;
    this.grpc = grpc;
    this.metrics = metrics;
    this.monitor = monitor;
    this.monitorThread = monitorThread;
    this.security = security;
    this.credentials = credentials;
    this.routingThreads = routingThreads;
    this.stateThread = stateThread;
  }

  /** Loads every model of the repository, then binds the three ports. */
  public static SluiceServer start(GatewayConfig config) throws IOException {
    BackendRegistry engines =
        BackendRegistry.of(new OnnxBackendProvider(), new TensorFlowBackendProvider());
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
            TimeUnit.MILLISECONDS.toMicros(config.models().maxQueueTimeMillis()),
            new BackendOptions(
                Device.CPU,
                config.engine().onnxIntraOpThreads(),
                config.engine().onnxInterOpThreads(),
                config.engine().onnxSpinning(),
                Map.of()),
            config.security().overrideLimits());
    Optional<ModelRepository> folder = Optional.empty();
    if (config.models().modelRepository() != null) {
      try {
        folder = Optional.of(LocalModelRepository.open(config.models().modelRepository()));
      } catch (RepositoryException e) {
        throw new IllegalArgumentException(
            "--model-repository " + config.models().modelRepository() + ": " + e.getMessage(),
            e);
      }
    }
    RegistryRepository followed = MlflowFollower.repository(config.registry().models());
    ModelRepository repository = config.registry().enabled()
        ? new CompositeRepository(folder, followed) : folder.orElseThrow();
    Optional<MlflowFollower> follower = config.registry().enabled()
        ? Optional.of(follower(config.registry(), followed, registry)) : Optional.empty();
    RegistryWebhook webhook;
    try {
      webhook = webhook(config.registry(), follower, registry);
    } catch (RuntimeException e) {
      follower.ifPresent(MlflowFollower::close);
      lifecycle.shutdownNow();
      throw e;
    }
    // Read the token and TLS files before loading any model: a bad file fails the start at once.
    ScheduledExecutorService credentials = Executors.newSingleThreadScheduledExecutor(
        new DefaultThreadFactory("sluice-credentials", true));
    ServerSecurity security;
    try {
      security = security(config.security(), registry, credentials);
    } catch (RuntimeException e) {
      credentials.shutdownNow();
      lifecycle.shutdownNow();
      follower.ifPresent(MlflowFollower::close);
      throw e;
    }
    ScheduledExecutorService routingThread = Executors.newSingleThreadScheduledExecutor(
        new DefaultThreadFactory("sluice-routing", true));
    ExecutorService shadowThread =
        Executors.newSingleThreadExecutor(new DefaultThreadFactory("sluice-shadow", true));
    // Saves traffic policies to --traffic-state-dir: file I/O, so never on an event loop.
    ExecutorService stateThread =
        Executors.newSingleThreadExecutor(new DefaultThreadFactory("sluice-traffic-state", true));
    RoutingConfig rc = config.routing();
    Routing routing;
    try {
      routing = new Routing(registry, Clock.systemUTC(),
          () -> ThreadLocalRandom.current().nextDouble(), routingThread, shadowThread,
          rc.rollbackWebhook().orElse(null), rc.shadowQueueSize(), rc.shadowMaxInFlight(),
          rc.stateDir().orElse(null), stateThread);
    } catch (RuntimeException e) {
      routingThread.shutdownNow();
      shadowThread.shutdownNow();
      stateThread.shutdownNow();
      credentials.shutdownNow();
      security.close();
      lifecycle.shutdownNow();
      follower.ifPresent(MlflowFollower::close);
      throw e;
    }
    routingThread.scheduleAtFixedRate(routing::tick, 1, 1, TimeUnit.SECONDS);
    ModelManager models =
        new ModelManager(
            repository,
            lifecycleConfig,
            backends,
            registry,
            Clock.systemUTC(),
            Ticker.SYSTEM,
            lifecycle,
            Duration.ofSeconds(config.models().drainTimeoutSeconds()),
            routing.decorator());
    if (follower.isPresent()) {
      follower.get().start(models, () -> models.loadAll().join(),
          aliasRollout(config, follower.get(), routing, registry));
    } else {
      models.loadAll().join();
    }
    // After the first load, so the saved policies' versions can be checked; before the ports.
    routing.restore(models, config.network().contextHeaders());
    Optional<FolderPoller> folderPoller = Optional.empty();
    if (folder.isPresent() && config.registry().repositoryPollSeconds() > 0) {
      FolderPoller p = new FolderPoller(folder.get(), models,
          Executors.newSingleThreadScheduledExecutor(
              new DefaultThreadFactory("sluice-repository-poll", true)),
          Duration.ofSeconds(config.registry().repositoryPollSeconds()), Clock.systemUTC(),
          registry);
      p.start();
      folderPoller = Optional.of(p);
    }
    DrainGate gate = new DrainGate();
    Gauge.builder("sluice_inflight_requests", gate, DrainGate::inFlight)
        .description("Inference requests admitted and not yet answered")
        .register(registry);
    DriftMonitor monitor = null;
    ScheduledExecutorService monitorThread = null;
    List<InferenceListener> all = new ArrayList<>();
    if (config.drift().enabled()) {
      monitorThread =
          Executors.newSingleThreadScheduledExecutor(
              new DefaultThreadFactory("sluice-monitor", true));
      DriftAlerts alerts =
          new DriftAlerts(config.drift(), registry, Clock.systemUTC(), monitorThread, 1000);
      PredictionLog predictionLog =
          config.predictionLog().enabled()
              ? PredictionLog.open(config.predictionLog(), 65_536, registry)
              : null;
      monitor =
          new DriftMonitor(
              config.drift(), config.models().modelRepository(), Clock.systemUTC(), registry,
              monitorThread, alerts, name -> models.ready(name, "").versionString(),
              predictionLog);
      registry.getPrometheusRegistry().register(monitor.collector());
      all.add(monitor);
    }
    all.addAll(routing.listeners());
    all.addAll(listeners);
    // Off: no SDK, no thread, no listener. On: spans are written after the answer is shaped.
    Tracing tracing = Tracing.open(config.tracing(), registry, Clock.systemUTC(), Ticker.SYSTEM);
    tracing.listener().ifPresent(all::add);
    ServingApi api =
        new DefaultServingApi(
            models, config.models().strictReadiness(), Ticker.SYSTEM, VERSION, registry,
            all, gate, new Admission(gate, config.models().maxInflightRequests(), registry),
            monitor != null ? monitor : new MonitorQueries() {}, webhook,
            RequestIds.random(new SecureRandom()), config.registry().controlMode(),
            routing.hooks(models, config.network().contextHeaders(), all, Ticker.SYSTEM));
    log.info("network transport: {}", Transports.name());
    EventLoopGroup boss =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("sluice-accept", true), Transports.ioHandlerFactory());
    EventLoopGroup workers =
        new MultiThreadIoEventLoopGroup(
            config.network().eventLoopThreads(),
            new DefaultThreadFactory("sluice-io", true),
            Transports.ioHandlerFactory());
    NetworkConfig net = config.network();
    HttpFrontEnd http = null;
    GrpcFrontEnd grpc = null;
    try {
      http =
          HttpFrontEnd.start(
              httpConfig(net), api, boss, workers, net.contextHeaders(), security, registry);
      grpc =
          GrpcFrontEnd.start(
              grpcConfig(net), api, boss, workers, net.contextHeaders(), security, registry);
      MetricsServer metrics = MetricsServer.start(net.host(), net.metricsPort(), registry);
      return new SluiceServer(
          models, api, boss, workers, http, grpc, metrics, gate,
          Duration.ofSeconds(net.shutdownGraceSeconds()), security, credentials,
          List.of(routingThread, shadowThread), stateThread, monitor,
          monitorThread, follower, folderPoller, tracing);
    } catch (IOException | RuntimeException e) {
      tracing.close();
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
      follower.ifPresent(MlflowFollower::close);
      folderPoller.ifPresent(FolderPoller::close);
      models.close();
      security.close();
      credentials.shutdownNow();
      routingThread.shutdownNow();
      shadowThread.shutdownNow();
      stateThread.shutdownNow();
      throw e;
    }
  }

  /**
   * The challenger listener: alias-driven rollouts when {@code --mlflow-rollout}, else none.
   * Its registry calls get a daemon thread of their own, off the routing thread.
   */
  private static MlflowFollower.ChallengerListener aliasRollout(GatewayConfig config,
      MlflowFollower follower, Routing routing, MeterRegistry registry) {
    RolloutConfig rc = config.routing().rollout();
    if (!rc.onChallenger() || follower.aliases().size() < 2) {
      return MlflowFollower.ChallengerListener.NONE;
    }
    log.info("alias-driven rollouts: when {} moves, shadow {} s, then steps {} % of {} s each;"
        + " MLflow write-back {}", follower.aliases().get(1), rc.shadowSeconds(), rc.steps(),
        rc.stepSeconds(), rc.promote() ? "on" : "off");
    return new AliasRollout(routing, AliasRollout.Writer.of(follower.client()), follower.aliases().get(0),
        new AliasRollout.Plan(rc.shadowSeconds(), rc.stepSeconds(), rc.steps(), rc.promote()),
        Executors.newSingleThreadExecutor(new DefaultThreadFactory("sluice-rollout-registry",
            true)),
        registry);
  }

  /** The webhook receiver when a secret is configured; it triggers the follower's poll. */
  private static RegistryWebhook webhook(
      RegistryConfig config, Optional<MlflowFollower> follower, MeterRegistry registry) {
    if (follower.isEmpty() || config.webhookSecretFile().isEmpty()) {
      return RegistryWebhook.NONE;
    }
    byte[] secret;
    try {
      secret = Files.readString(config.webhookSecretFile().get(), StandardCharsets.UTF_8).strip()
          .getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("--mlflow-webhook-secret-file: " + e, e);
    }
    return new MlflowWebhook(secret, Clock.systemUTC(), follower.get()::pollNow, registry);
  }

  /** The MLflow follower: the client (credentials read now), the cache, its own thread. */
  private static MlflowFollower follower(
      RegistryConfig config, RegistryRepository repository, MeterRegistry registry) {
    MlflowCredentials credentials;
    ModelCache cache;
    try {
      credentials = MlflowCredentials.resolve(
          config.basicAuthFile(), config.tokenFile(), System.getenv());
      cache = new ModelCache(config.modelCache());
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    HttpClient http = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    Random random = new Random();
    MlflowClient client = new MlflowClient(config.mlflowUri().orElseThrow(), credentials,
        RetryPolicy.ofDefaults(), Duration.ofSeconds(120), http, Sleeper.SYSTEM,
        random::nextDouble);
    log.info("following MLflow models {} at {} (aliases {}, every {} s, credentials: {},"
        + " cache {})", config.models(), client.trackingUri(), config.aliases(),
        config.pollSeconds(), credentials, cache.root());
    return new MlflowFollower(client, cache, repository, config.aliases(),
        Duration.ofSeconds(config.pollSeconds()),
        Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("sluice-registry",
            true)),
        Clock.systemUTC(), random::nextDouble, registry);
  }

  private static HttpConfig httpConfig(NetworkConfig net) {
    ConnectionLimits limits = net.limits();
    return new HttpConfig(
        net.host(),
        net.httpPort(),
        net.maxRequestBytes(),
        limits.maxDecompressedBytes(),
        limits.maxConnections(),
        Duration.ofSeconds(limits.idleTimeoutSeconds()),
        Duration.ofSeconds(limits.headerTimeoutSeconds()),
        Duration.ofSeconds(limits.bodyTimeoutSeconds()));
  }

  private static GrpcConfig grpcConfig(NetworkConfig net) {
    ConnectionLimits limits = net.limits();
    return new GrpcConfig(
        net.host(),
        net.grpcPort(),
        net.maxGrpcMessageBytes(),
        limits.maxConnections(),
        Duration.ofSeconds(limits.idleTimeoutSeconds()),
        Duration.ofSeconds(limits.headerTimeoutSeconds()),
        limits.maxGrpcCallsPerConnection());
  }

  private static ServerSecurity security(
      SecurityConfig config, MeterRegistry registry, ScheduledExecutorService scheduler) {
    ServerSecurity.Builder b = ServerSecurity.builder().meterRegistry(registry);
    config.adminTokenFile().ifPresent(b::adminTokenFile);
    config.tls().ifPresent(b::tls);
    if (config.credentialsReloadSeconds() > 0) {
      b.reloadEvery(java.time.Duration.ofSeconds(config.credentialsReloadSeconds()), scheduler);
    }
    return b.build();
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

  /** The admin guard and TLS contexts both servers use ({@link ServerSecurity#reload()}, tests). */
  public ServerSecurity security() {
    return security;
  }

  /** Inference requests admitted and not yet answered (also {@code sluice_inflight_requests}). */
  public long inFlightRequests() {
    return gate.inFlight();
  }

  /**
   * Graceful shutdown: readiness turns false and new requests are refused at once (HTTP 503,
   * gRPC UNAVAILABLE after a GOAWAY); requests already admitted, queued ones included, finish
   * within the shutdown grace; keep-alive connections close after their current response. Then
   * everything is closed in reverse order. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long start = System.nanoTime();
    CompletableFuture<Void> drained = gate.beginDrain();
    grpc.drain();
    log.info("shutting down: draining {} admitted request(s), at most {} s",
        gate.inFlight(), shutdownGrace.toSeconds());
    try {
      drained.get(shutdownGrace.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      log.warn("shutdown grace of {} s ran out with {} request(s) unanswered",
          shutdownGrace.toSeconds(), gate.inFlight());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException("the drain future cannot fail", e);
    }
    Duration left = shutdownGrace.minusNanos(System.nanoTime() - start);
    grpc.close(left.isNegative() ? Duration.ZERO : left);
    // Keep-alive connections close after their next answer; give idle ones a moment to be used.
    int cut = http.close(Duration.ofMillis(Math.max(0, Math.min(1000, left.toMillis()))));
    if (cut > 0) {
      log.debug("closed {} idle HTTP connection(s) at shutdown", cut);
    }
    metrics.close();
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    if (monitor != null) {
      monitor.close();
      monitorThread.shutdownNow();
    }
    follower.ifPresent(MlflowFollower::close);
    folderPoller.ifPresent(FolderPoller::close);
    models.close();
    security.close();
    credentials.shutdownNow();
    routingThreads.forEach(ExecutorService::shutdownNow);
    stateThread.shutdown();
    try {
      if (!stateThread.awaitTermination(STATE_WRITE_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("traffic policies still being saved after {} s: given up",
            STATE_WRITE_GRACE.toSeconds());
        stateThread.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stateThread.shutdownNow();
    }
    // Last: every answered request's spans have been offered; flush them.
    tracing.close();
  }
}
