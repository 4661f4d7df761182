package io.sluice.gateway;

import io.sluice.gateway.monitor.DriftConfig;
import io.sluice.gateway.monitor.PredictionLogConfig;
import io.sluice.gateway.model.OverrideLimits;
import io.sluice.gateway.request.ContextHeaders;
import io.sluice.gateway.core.ModelControlMode;
import io.sluice.gateway.tracing.TracingConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Every setting of the process, validated once at start-up and passed down, in six groups: the
 * servers' {@link NetworkConfig}, the repository's {@link ModelsConfig}, the {@link EngineConfig},
 * the {@link SecurityConfig}, the drift monitor's {@link DriftConfig} and the {@link
 * PredictionLogConfig}. Build one with {@link #builder()}; its defaults, flags, YAML
 * keys and meanings are the one table {@link Setting}, from which the command line, {@link
 * ConfigFile} and the README's table are all derived.
 *
 * @param network where and how the servers listen
 * @param models what is served and how readiness is judged
 * @param engine which engine runs the models
 * @param security who may change the server, how far, and TLS
 * @param drift the drift monitor's windows, thresholds and alerts
 * @param predictionLog the JSON-lines prediction log
 * @param registry which MLflow registered models are followed
 * @param routing traffic routing's webhook and shadow queue
 * @param logFormat text or JSON log lines
 * @param tracing where OpenTelemetry spans go, if anywhere
 */
public record GatewayConfig(
    NetworkConfig network,
    ModelsConfig models,
    EngineConfig engine,
    SecurityConfig security,
    DriftConfig drift,
    PredictionLogConfig predictionLog,
    RegistryConfig registry,
    RoutingConfig routing,
    LogFormat logFormat,
    TracingConfig tracing) {

  /** Which engine runs the models. */
  public enum Engine {
    /** ONNX Runtime. */
    ONNXRUNTIME,
    /** Zeros of the real output sizes, no compute: the benchmark's transport ceiling. */
    ECHO
  }

  public GatewayConfig {
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(models, "models");
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(security, "security");
    Objects.requireNonNull(drift, "drift");
    Objects.requireNonNull(predictionLog, "predictionLog");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(routing, "routing");
    Objects.requireNonNull(logFormat, "logFormat");
    Objects.requireNonNull(tracing, "tracing");
    if (models.modelRepository() == null && !registry.enabled()) {
      throw new IllegalArgumentException(
          "no models to serve (expected: --model-repository, --mlflow-uri with --mlflow-model,"
              + " or both)");
    }
  }

  /** A builder holding every default of {@link Setting}; only the repository must be set. */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults, serving {@code modelRepository}. */
  public static GatewayConfig ofDefaults(Path modelRepository) {
    return builder().modelRepository(modelRepository).build();
  }

  static void checkPort(String name, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(name + ": " + port + " (expected: 0..65535)");
    }
  }

  static void checkPositive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
  }

  /**
   * One setter per {@link Setting}; {@link #build()} validates. The initial values are the
   * table's defaults, not a second copy of them.
   */
  public static final class Builder {
    private Path modelRepository;
    private String host;
    private int httpPort;
    private int grpcPort;
    private int metricsPort;
    private int eventLoopThreads;
    private int maxRequestBytes;
    private int maxGrpcMessageBytes;
    private int maxDecompressedBytes;
    private int maxConnections;
    private int idleTimeoutSeconds;
    private int headerTimeoutSeconds;
    private int bodyTimeoutSeconds;
    private int maxGrpcCallsPerConnection;
    private boolean strictReadiness;
    private int defaultMaxBatchSize;
    private int maxQueueSize;
    private int drainTimeoutSeconds;
    private int maxQueueTimeMillis;
    private int maxInflightRequests;
    private int shutdownGraceSeconds;
    private ContextHeaders contextHeaders = ContextHeaders.defaults();
    private Engine engine;
    private LogFormat logFormat = LogFormat.TEXT;
    private URI otelEndpoint;
    private String otelProtocol;
    private double otelSamplingRatio;
    private String otelServiceName;
    private int onnxIntraOpThreads;
    private int onnxInterOpThreads;
    private boolean onnxSpinning;
    private Path adminTokenFile;
    private Path tlsCertFile;
    private Path tlsKeyFile;
    private Path tlsClientCaFile;
    private int credentialsReloadSeconds;
    private int maxOverrideInstances;
    private int maxOverrideThreads;
    private int maxOverrideQueueDelayMicros;
    private int maxOverrideQueueSize;
    private int maxOverrideBatchSize;
    private boolean driftEnabled;
    private int driftWindowRows;
    private int driftWindowSeconds;
    private int driftSlideRows;
    private int driftSlideSeconds;
    private int driftMinWindowRows;
    private double driftPValueThreshold;
    private double driftDistanceThreshold;
    private double driftShareThreshold;
    private int driftBootstrapRows;
    private int driftQueueSlots;
    private int driftSlotValues;
    private double driftMaxRate;
    private URI driftWebhookUrl;
    private URI rollbackWebhook;
    private Path trafficStateDir;
    private int shadowQueueSize;
    private int shadowMaxInFlight;
    private boolean rolloutOnChallenger;
    private List<String> rolloutSteps;
    private int rolloutStepSeconds;
    private int rolloutShadowSeconds;
    private boolean mlflowPromote;
    private Path driftWebhookTemplate;
    private String driftWebhookSecret;
    private int driftWebhookMinIntervalSeconds;
    private int driftWebhookRetries;
    private Path predictionLogDir;
    private int predictionLogMaxBytes;
    private int predictionLogFiles;
    private String predictionLogKafkaBootstrap;
    private String predictionLogKafkaTopic;
    private int predictionLogKafkaDeliveryTimeoutMs;
    private URI mlflowUri;
    private List<String> mlflowModels = List.of();
    private List<String> mlflowAliases;
    private int mlflowPollSeconds;
    private Path modelCache;
    private Path mlflowTokenFile;
    private Path mlflowBasicAuthFile;
    private Path mlflowWebhookSecretFile;
    private int repositoryPollInterval;
    private ModelControlMode modelControlMode;

    private Builder() {
      Setting.applyDefaults(this);
    }

    public Builder modelRepository(Path modelRepository) {
      this.modelRepository = modelRepository;
      return this;
    }

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    public Builder httpPort(int httpPort) {
      this.httpPort = httpPort;
      return this;
    }

    public Builder grpcPort(int grpcPort) {
      this.grpcPort = grpcPort;
      return this;
    }

    public Builder metricsPort(int metricsPort) {
      this.metricsPort = metricsPort;
      return this;
    }

    public Builder eventLoopThreads(int eventLoopThreads) {
      this.eventLoopThreads = eventLoopThreads;
      return this;
    }

    public Builder maxRequestBytes(int maxRequestBytes) {
      this.maxRequestBytes = maxRequestBytes;
      return this;
    }

    public Builder maxGrpcMessageBytes(int maxGrpcMessageBytes) {
      this.maxGrpcMessageBytes = maxGrpcMessageBytes;
      return this;
    }

    public Builder maxDecompressedBytes(int maxDecompressedBytes) {
      this.maxDecompressedBytes = maxDecompressedBytes;
      return this;
    }

    public Builder maxConnections(int maxConnections) {
      this.maxConnections = maxConnections;
      return this;
    }

    public Builder idleTimeoutSeconds(int idleTimeoutSeconds) {
      this.idleTimeoutSeconds = idleTimeoutSeconds;
      return this;
    }

    public Builder headerTimeoutSeconds(int headerTimeoutSeconds) {
      this.headerTimeoutSeconds = headerTimeoutSeconds;
      return this;
    }

    public Builder bodyTimeoutSeconds(int bodyTimeoutSeconds) {
      this.bodyTimeoutSeconds = bodyTimeoutSeconds;
      return this;
    }

    public Builder maxGrpcCallsPerConnection(int maxGrpcCallsPerConnection) {
      this.maxGrpcCallsPerConnection = maxGrpcCallsPerConnection;
      return this;
    }

    public Builder strictReadiness(boolean strictReadiness) {
      this.strictReadiness = strictReadiness;
      return this;
    }

    public Builder defaultMaxBatchSize(int defaultMaxBatchSize) {
      this.defaultMaxBatchSize = defaultMaxBatchSize;
      return this;
    }

    public Builder maxQueueSize(int maxQueueSize) {
      this.maxQueueSize = maxQueueSize;
      return this;
    }

    public Builder drainTimeoutSeconds(int drainTimeoutSeconds) {
      this.drainTimeoutSeconds = drainTimeoutSeconds;
      return this;
    }

    public Builder maxQueueTimeMillis(int maxQueueTimeMillis) {
      this.maxQueueTimeMillis = maxQueueTimeMillis;
      return this;
    }

    public Builder maxInflightRequests(int maxInflightRequests) {
      this.maxInflightRequests = maxInflightRequests;
      return this;
    }

    public Builder shutdownGraceSeconds(int shutdownGraceSeconds) {
      this.shutdownGraceSeconds = shutdownGraceSeconds;
      return this;
    }

    /** Comma-separated header names; the trace context is always read. */
    public Builder contextHeaders(String csv) {
      String list = csv == null ? "" : csv.strip();
      this.contextHeaders =
          ContextHeaders.of(list.isEmpty() ? List.of() : Arrays.asList(list.split(",")));
      return this;
    }

    public Builder otelEndpoint(URI v) {
      this.otelEndpoint = v;
      return this;
    }

    public Builder otelProtocol(String v) {
      this.otelProtocol = v;
      return this;
    }

    public Builder otelSamplingRatio(double v) {
      this.otelSamplingRatio = v;
      return this;
    }

    public Builder otelServiceName(String v) {
      this.otelServiceName = v;
      return this;
    }

    public Builder logFormat(LogFormat logFormat) {
      this.logFormat = logFormat;
      return this;
    }

    public Builder engine(Engine engine) {
      this.engine = engine;
      return this;
    }

    public Builder onnxIntraOpThreads(int onnxIntraOpThreads) {
      this.onnxIntraOpThreads = onnxIntraOpThreads;
      return this;
    }

    public Builder onnxInterOpThreads(int onnxInterOpThreads) {
      this.onnxInterOpThreads = onnxInterOpThreads;
      return this;
    }

    public Builder onnxSpinning(boolean onnxSpinning) {
      this.onnxSpinning = onnxSpinning;
      return this;
    }

    public Builder driftEnabled(boolean v) {
      this.driftEnabled = v;
      return this;
    }

    public Builder driftWindowRows(int v) {
      this.driftWindowRows = v;
      return this;
    }

    public Builder driftWindowSeconds(int v) {
      this.driftWindowSeconds = v;
      return this;
    }

    public Builder driftSlideRows(int v) {
      this.driftSlideRows = v;
      return this;
    }

    public Builder driftSlideSeconds(int v) {
      this.driftSlideSeconds = v;
      return this;
    }

    public Builder driftMinWindowRows(int v) {
      this.driftMinWindowRows = v;
      return this;
    }

    public Builder driftPValueThreshold(double v) {
      this.driftPValueThreshold = v;
      return this;
    }

    public Builder driftDistanceThreshold(double v) {
      this.driftDistanceThreshold = v;
      return this;
    }

    public Builder driftShareThreshold(double v) {
      this.driftShareThreshold = v;
      return this;
    }

    public Builder driftBootstrapRows(int v) {
      this.driftBootstrapRows = v;
      return this;
    }

    public Builder driftQueueSlots(int v) {
      this.driftQueueSlots = v;
      return this;
    }

    public Builder driftMaxRate(double v) {
      this.driftMaxRate = v;
      return this;
    }

    public Builder driftSlotValues(int v) {
      this.driftSlotValues = v;
      return this;
    }

    /** The alert webhook's URL; empty for none. */
    public Builder driftWebhookUrl(String url) {
      this.driftWebhookUrl = url == null || url.isBlank() ? null : URI.create(url.strip());
      return this;
    }

    public Builder driftWebhookTemplate(Path v) {
      this.driftWebhookTemplate = v;
      return this;
    }

    /** The webhook's HMAC key; empty for unsigned. */
    public Builder driftWebhookSecret(String v) {
      this.driftWebhookSecret = v == null || v.isEmpty() ? null : v;
      return this;
    }

    public Builder driftWebhookMinIntervalSeconds(int v) {
      this.driftWebhookMinIntervalSeconds = v;
      return this;
    }

    public Builder driftWebhookRetries(int v) {
      this.driftWebhookRetries = v;
      return this;
    }

    public Builder adminTokenFile(Path adminTokenFile) {
      this.adminTokenFile = adminTokenFile;
      return this;
    }

    public Builder tlsCertFile(Path tlsCertFile) {
      this.tlsCertFile = tlsCertFile;
      return this;
    }

    public Builder tlsKeyFile(Path tlsKeyFile) {
      this.tlsKeyFile = tlsKeyFile;
      return this;
    }

    public Builder tlsClientCaFile(Path tlsClientCaFile) {
      this.tlsClientCaFile = tlsClientCaFile;
      return this;
    }

    public Builder credentialsReloadSeconds(int credentialsReloadSeconds) {
      this.credentialsReloadSeconds = credentialsReloadSeconds;
      return this;
    }

    public Builder maxOverrideInstances(int maxOverrideInstances) {
      this.maxOverrideInstances = maxOverrideInstances;
      return this;
    }

    public Builder maxOverrideThreads(int maxOverrideThreads) {
      this.maxOverrideThreads = maxOverrideThreads;
      return this;
    }

    public Builder maxOverrideQueueDelayMicros(int maxOverrideQueueDelayMicros) {
      this.maxOverrideQueueDelayMicros = maxOverrideQueueDelayMicros;
      return this;
    }

    public Builder maxOverrideQueueSize(int maxOverrideQueueSize) {
      this.maxOverrideQueueSize = maxOverrideQueueSize;
      return this;
    }

    public Builder maxOverrideBatchSize(int maxOverrideBatchSize) {
      this.maxOverrideBatchSize = maxOverrideBatchSize;
      return this;
    }

    public Builder predictionLogDir(Path v) {
      this.predictionLogDir = v;
      return this;
    }

    public Builder predictionLogMaxBytes(int v) {
      this.predictionLogMaxBytes = v;
      return this;
    }

    public Builder predictionLogFiles(int v) {
      this.predictionLogFiles = v;
      return this;
    }

    public Builder predictionLogKafkaBootstrap(String v) {
      this.predictionLogKafkaBootstrap = v;
      return this;
    }

    public Builder predictionLogKafkaTopic(String v) {
      this.predictionLogKafkaTopic = v;
      return this;
    }

    public Builder predictionLogKafkaDeliveryTimeoutMs(int v) {
      this.predictionLogKafkaDeliveryTimeoutMs = v;
      return this;
    }

    public Builder mlflowUri(URI mlflowUri) {
      this.mlflowUri = mlflowUri;
      return this;
    }

    public Builder mlflowModels(List<String> mlflowModels) {
      this.mlflowModels = List.copyOf(mlflowModels);
      return this;
    }

    public Builder mlflowAliases(List<String> mlflowAliases) {
      this.mlflowAliases = List.copyOf(mlflowAliases);
      return this;
    }

    public Builder mlflowPollSeconds(int mlflowPollSeconds) {
      this.mlflowPollSeconds = mlflowPollSeconds;
      return this;
    }

    public Builder modelCache(Path modelCache) {
      this.modelCache = modelCache;
      return this;
    }

    public Builder mlflowTokenFile(Path mlflowTokenFile) {
      this.mlflowTokenFile = mlflowTokenFile;
      return this;
    }

    public Builder mlflowBasicAuthFile(Path mlflowBasicAuthFile) {
      this.mlflowBasicAuthFile = mlflowBasicAuthFile;
      return this;
    }

    public Builder mlflowWebhookSecretFile(Path mlflowWebhookSecretFile) {
      this.mlflowWebhookSecretFile = mlflowWebhookSecretFile;
      return this;
    }

    /** {@code none}, {@code poll} or {@code explicit}, in any case. */
    public Builder modelControlMode(String mode) {
      this.modelControlMode = ModelControlMode.parse(mode);
      return this;
    }

    public Builder rollbackWebhook(String url) {
      this.rollbackWebhook = url == null || url.isBlank() ? null : URI.create(url.strip());
      return this;
    }

    /** Where traffic policies are kept across restarts; null keeps them in memory only. */
    public Builder trafficStateDir(Path dir) {
      this.trafficStateDir = dir;
      return this;
    }

    public Builder shadowQueueSize(int v) {
      this.shadowQueueSize = v;
      return this;
    }

    public Builder rolloutOnChallenger(boolean v) {
      this.rolloutOnChallenger = v;
      return this;
    }

    public Builder rolloutSteps(List<String> v) {
      this.rolloutSteps = List.copyOf(v);
      return this;
    }

    public Builder rolloutStepSeconds(int v) {
      this.rolloutStepSeconds = v;
      return this;
    }

    public Builder rolloutShadowSeconds(int v) {
      this.rolloutShadowSeconds = v;
      return this;
    }

    public Builder mlflowPromote(boolean v) {
      this.mlflowPromote = v;
      return this;
    }

    public Builder shadowMaxInFlight(int v) {
      this.shadowMaxInFlight = v;
      return this;
    }

    public Builder repositoryPollInterval(int seconds) {
      this.repositoryPollInterval = seconds;
      return this;
    }

    public GatewayConfig build() {
      return new GatewayConfig(
          new NetworkConfig(
              host,
              httpPort,
              grpcPort,
              metricsPort,
              eventLoopThreads,
              maxRequestBytes,
              maxGrpcMessageBytes,
              contextHeaders,
              shutdownGraceSeconds,
              new ConnectionLimits(
                  maxDecompressedBytes,
                  maxConnections,
                  idleTimeoutSeconds,
                  headerTimeoutSeconds,
                  bodyTimeoutSeconds,
                  maxGrpcCallsPerConnection)),
          new ModelsConfig(
              modelRepository, strictReadiness, defaultMaxBatchSize, maxQueueSize,
              drainTimeoutSeconds, maxQueueTimeMillis, maxInflightRequests),
          new EngineConfig(engine, onnxIntraOpThreads, onnxInterOpThreads, onnxSpinning),
          new SecurityConfig(
              Optional.ofNullable(adminTokenFile),
              SecurityConfig.tls(tlsCertFile, tlsKeyFile, tlsClientCaFile),
              credentialsReloadSeconds,
              new OverrideLimits(
                  maxOverrideInstances, maxOverrideThreads, maxOverrideQueueDelayMicros,
                  maxOverrideQueueSize, maxOverrideBatchSize)),
          new DriftConfig(driftEnabled, driftWindowRows, driftWindowSeconds, driftSlideRows,
              driftSlideSeconds, driftMinWindowRows, driftPValueThreshold, driftDistanceThreshold,
              driftShareThreshold, driftBootstrapRows, driftQueueSlots, driftSlotValues,
              driftMaxRate, driftWebhookUrl, driftWebhookTemplate, driftWebhookSecret,
              driftWebhookMinIntervalSeconds, driftWebhookRetries),
          new PredictionLogConfig(predictionLogDir, predictionLogMaxBytes, predictionLogFiles,
              predictionLogKafkaBootstrap, predictionLogKafkaTopic,
              predictionLogKafkaDeliveryTimeoutMs),
          new RegistryConfig(
              Optional.ofNullable(mlflowUri), mlflowModels, mlflowAliases, mlflowPollSeconds,
              modelCache, Optional.ofNullable(mlflowTokenFile),
              Optional.ofNullable(mlflowBasicAuthFile),
              Optional.ofNullable(mlflowWebhookSecretFile), repositoryPollInterval,
              modelControlMode),
          new RoutingConfig(Optional.ofNullable(rollbackWebhook), shadowQueueSize,
              shadowMaxInFlight, Optional.ofNullable(trafficStateDir), new RolloutConfig(rolloutOnChallenger,
                  RolloutConfig.weights(rolloutSteps), rolloutStepSeconds, rolloutShadowSeconds,
                  mlflowPromote)),
          logFormat,
          new TracingConfig(Optional.ofNullable(otelEndpoint),
              TracingConfig.Protocol.of(otelProtocol), otelSamplingRatio, otelServiceName));
    }
  }
}
