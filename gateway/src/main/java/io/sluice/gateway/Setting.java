package io.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.gateway.model.OverrideLimits;
import io.sluice.gateway.monitor.DriftConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The one table of {@code sluice serve}'s settings: flag, YAML key, type, default, meaning, and
 * where the value goes in a {@link GatewayConfig.Builder}. Everything else is derived from it: the
 * builder's initial values ({@link #applyDefaults}), the picocli options ({@link #optionSpec}),
 * the YAML keys {@link ConfigFile} accepts ({@link #forYamlKey}) and the README's table ({@link
 * #markdownTable}, checked by a test). Adding a setting is one constant here and one builder
 * setter.
 *
 * <p>Two rows are the command's own and never reach the builder: {@code --config} (which file to
 * read) and {@code --ports-file}; neither has a YAML key.
 */
enum Setting {
  CONFIG(
      "--config", null, Kind.PATH, null, "none",
      "YAML file with the same settings as the flags, under the YAML keys",
      null),
  MODEL_REPOSITORY(
      "--model-repository", "model-repository", Kind.PATH, null, "none",
      "Triton-style model repository folder (required unless MLflow models are given; both"
          + " together serve side by side)",
      (b, v) -> b.modelRepository((Path) v)),
  MODEL_CONTROL_MODE(
      "--model-control-mode", "model-control-mode", Kind.STRING, () -> "explicit", "explicit",
      "Triton's modes: every one loads the whole folder at start; `explicit` accepts the"
          + " repository load/unload API, `poll` follows the folder instead, `none` changes"
          + " nothing after start; the API is refused (503 / UNAVAILABLE) outside `explicit`",
      (b, v) -> b.modelControlMode((String) v)),
  REPOSITORY_POLL_INTERVAL(
      "--repository-poll-interval", "repository-poll-interval", Kind.INT, () -> 0, "0",
      "seconds between checks of the folder repository for new, changed and removed models,"
          + " each applied as a load or unload; 0 = off in `explicit` mode and 15 in `poll` mode;"
          + " not allowed in `none` mode",
      (b, v) -> b.repositoryPollInterval((Integer) v)),
  MLFLOW_URI(
      "--mlflow-uri", "mlflow-uri", Kind.URI, null, "none",
      "MLflow tracking server whose registered models `--mlflow-model` follows",
      (b, v) -> b.mlflowUri((java.net.URI) v)),
  MLFLOW_MODEL(
      "--mlflow-model", "mlflow-model", Kind.LIST, null, "none",
      "a registered model to serve under its MLflow name; repeat the flag (or give a YAML list)"
          + " for several",
      (b, v) -> b.mlflowModels(Setting.list(v))),
  MLFLOW_ALIASES(
      "--mlflow-aliases", "mlflow-aliases", Kind.LIST, () -> "champion,challenger,shadow",
      "champion,challenger,shadow",
      "the aliases whose versions are loaded; requests naming no version get the first's,"
          + " the others are served by version number",
      (b, v) -> b.mlflowAliases(Setting.list(v))),
  MLFLOW_POLL_SECONDS(
      "--mlflow-poll-seconds", "mlflow-poll-seconds", Kind.INT, () -> 15, "15",
      "how often each model's aliases are read from MLflow (jittered by up to a tenth either"
          + " way); an alias move serves within one interval",
      (b, v) -> b.mlflowPollSeconds((Integer) v)),
  MODEL_CACHE(
      "--model-cache", "model-cache", Kind.PATH,
      () -> Path.of(System.getProperty("java.io.tmpdir"), "sluice-model-cache"),
      "$TMPDIR/sluice-model-cache",
      "where MLflow versions are downloaded (one folder per model and version, reused after a"
          + " restart, versions no longer served pruned)",
      (b, v) -> b.modelCache((Path) v)),
  MLFLOW_TOKEN_FILE(
      "--mlflow-token-file", "mlflow-token-file", Kind.PATH, null, "none",
      "file holding a bearer token for MLflow (else `MLFLOW_TRACKING_TOKEN`); never logged",
      (b, v) -> b.mlflowTokenFile((Path) v)),
  MLFLOW_BASIC_AUTH_FILE(
      "--mlflow-basic-auth-file", "mlflow-basic-auth-file", Kind.PATH, null, "none",
      "file holding `user:password` for MLflow (else `MLFLOW_TRACKING_USERNAME` and"
          + " `MLFLOW_TRACKING_PASSWORD`); never logged",
      (b, v) -> b.mlflowBasicAuthFile((Path) v)),
  MLFLOW_WEBHOOK_SECRET_FILE(
      "--mlflow-webhook-secret-file", "mlflow-webhook-secret-file", Kind.PATH, null, "none",
      "file holding the secret of an MLflow webhook pointed at `POST /v2/registry/webhook`: a"
          + " verified delivery triggers an immediate poll (polling stays the source of truth)",
      (b, v) -> b.mlflowWebhookSecretFile((Path) v)),
  HOST(
      "--host", "host", Kind.STRING, () -> "0.0.0.0", "0.0.0.0",
      "address all three servers bind",
      (b, v) -> b.host((String) v)),
  HTTP_PORT(
      "--http-port", "http-port", Kind.INT, () -> 8000, "8000",
      "HTTP port, 0 picks an ephemeral port",
      (b, v) -> b.httpPort((Integer) v)),
  GRPC_PORT(
      "--grpc-port", "grpc-port", Kind.INT, () -> 8001, "8001",
      "gRPC port, 0 picks an ephemeral port",
      (b, v) -> b.grpcPort((Integer) v)),
  METRICS_PORT(
      "--metrics-port", "metrics-port", Kind.INT, () -> 8002, "8002",
      "Prometheus metrics port, 0 picks an ephemeral port",
      (b, v) -> b.metricsPort((Integer) v)),
  PORTS_FILE(
      "--ports-file", null, Kind.PATH, null, "none",
      "write the bound ports as JSON here once serving (scripts, tests)",
      null),
  STRICT_READINESS(
      "--strict-readiness", "strict-readiness", Kind.BOOLEAN, () -> true, "true",
      "ready only when every model that should be loaded is READY (Triton's default)",
      (b, v) -> b.strictReadiness((Boolean) v)),
  MAX_REQUEST_BYTES(
      "--max-request-bytes", "max-request-bytes", Kind.INT, () -> 64 * 1024 * 1024, "64 MiB",
      "largest HTTP body, after decompression (413 beyond)",
      (b, v) -> b.maxRequestBytes((Integer) v)),
  MAX_GRPC_MESSAGE_BYTES(
      "--max-grpc-message-bytes", "max-grpc-message-bytes", Kind.INT, () -> 256 * 1024 * 1024,
      "256 MiB",
      "largest inbound gRPC message (grpc-java's default is 4 MiB)",
      (b, v) -> b.maxGrpcMessageBytes((Integer) v)),
  MAX_DECOMPRESSED_BYTES(
      "--max-decompressed-bytes", "max-decompressed-bytes", Kind.INT, () -> 16 * 1024 * 1024,
      "16 MiB",
      "most bytes a compressed HTTP body may inflate to, enforced while inflating (413 beyond;"
          + " the lower of this and `--max-request-bytes` applies)",
      (b, v) -> b.maxDecompressedBytes((Integer) v)),
  MAX_CONNECTIONS(
      "--max-connections", "max-connections", Kind.INT, () -> 10_000, "10000",
      "open connections per server, HTTP and gRPC each; one more is reset at accept (counted in"
          + " `sluice_connections_rejected_total`)",
      (b, v) -> b.maxConnections((Integer) v)),
  IDLE_TIMEOUT_SECONDS(
      "--idle-timeout-seconds", "idle-timeout-seconds", Kind.INT, () -> 60, "60",
      "an HTTP connection with no request in flight and nothing received, or a gRPC connection"
          + " with no call, is closed after this long (gRPC: GOAWAY)",
      (b, v) -> b.idleTimeoutSeconds((Integer) v)),
  HEADER_TIMEOUT_SECONDS(
      "--header-timeout-seconds", "header-timeout-seconds", Kind.INT, () -> 10, "10",
      "an HTTP request's line and headers must arrive within this from their first byte (else"
          + " 408 and close); a gRPC connection's HTTP/2 handshake likewise (else closed)",
      (b, v) -> b.headerTimeoutSeconds((Integer) v)),
  BODY_TIMEOUT_SECONDS(
      "--body-timeout-seconds", "body-timeout-seconds", Kind.INT, () -> 20, "20",
      "an HTTP request's whole body must arrive within this once its headers have (else 408 and"
          + " close)",
      (b, v) -> b.bodyTimeoutSeconds((Integer) v)),
  MAX_GRPC_CALLS_PER_CONNECTION(
      "--max-grpc-calls-per-connection", "max-grpc-calls-per-connection", Kind.INT, () -> 1000,
      "1000",
      "gRPC calls open at once on one connection (HTTP/2 `MAX_CONCURRENT_STREAMS`); clients"
          + " queue beyond it",
      (b, v) -> b.maxGrpcCallsPerConnection((Integer) v)),
  EVENT_LOOP_THREADS(
      "--event-loop-threads", "event-loop-threads", Kind.INT,
      () -> Math.max(1, Runtime.getRuntime().availableProcessors()), "number of cores",
      "Netty event loops, shared by HTTP and gRPC",
      (b, v) -> b.eventLoopThreads((Integer) v)),
  DEFAULT_MAX_BATCH_SIZE(
      "--default-max-batch-size", "default-max-batch-size", Kind.INT, () -> 4, "4",
      "autofill's `max_batch_size` for a model that can batch (Triton's default)",
      (b, v) -> b.defaultMaxBatchSize((Integer) v)),
  MAX_QUEUE_SIZE(
      "--max-queue-size", "max-queue-size", Kind.INT,
      () -> 4096, "4096",
      "per-version cap on waiting requests where `max_queue_size` is 0",
      (b, v) -> b.maxQueueSize((Integer) v)),
  MAX_QUEUE_TIME_MS(
      "--max-queue-time-ms", "max-queue-time-ms", Kind.INT, () -> 1000, "1000",
      "load shedding: a request that could not start within this many ms (or its deadline) is "
          + "refused at once with 503 / UNAVAILABLE and a retry hint; 0 = no limit",
      (b, v) -> b.maxQueueTimeMillis((Integer) v)),
  MAX_INFLIGHT_REQUESTS(
      "--max-inflight-requests", "max-inflight-requests", Kind.INT, () -> 1024, "1024",
      "load shedding at the front door: while the server holds this many inference requests "
          + "admitted and not yet answered, a new one is refused before its body is read, with "
          + "503 `Retry-After: 1` / UNAVAILABLE (`sluice_requests_dropped_total{reason=\"inflight_limit\"}`); "
          + "0 = no limit",
      (b, v) -> b.maxInflightRequests((Integer) v)),
  SHUTDOWN_GRACE_SECONDS(
      "--shutdown-grace-seconds", "shutdown-grace-seconds", Kind.INT, () -> 25, "25",
      "on SIGTERM: readiness turns false, new requests get 503 / UNAVAILABLE, admitted ones "
          + "have this long to finish",
      (b, v) -> b.shutdownGraceSeconds((Integer) v)),
  DRAIN_TIMEOUT_SECONDS(
      "--drain-timeout-seconds", "drain-timeout-seconds", Kind.INT, () -> 30, "30",
      "how long a replaced or unloaded version may finish its admitted requests before it is"
          + " closed anyway (each expiry counts in `sluice_version_drain_timeouts_total`)",
      (b, v) -> b.drainTimeoutSeconds((Integer) v)),
  CONTEXT_HEADERS(
      "--context-headers", "context-headers", Kind.STRING, () -> "", "none",
      "comma-separated HTTP headers / gRPC metadata keys kept in each request's context for"
          + " version selection and listeners (`traceparent`, `tracestate` always are)",
      (b, v) -> b.contextHeaders((String) v)),
  LOG_FORMAT(
      "--log-format", "log-format", Kind.LOG_FORMAT, () -> LogFormat.TEXT, "TEXT",
      "TEXT: `[thread] LEVEL logger - message` lines; JSON: one JSON object per line on stderr"
          + " (logback's `JsonEncoder`; grpc-java's java.util.logging included); the flag"
          + " ignores case",
      (b, v) -> b.logFormat((LogFormat) v)),
  ENGINE(
      "--engine", "engine", Kind.ENGINE, () -> GatewayConfig.Engine.ONNXRUNTIME, "ONNXRUNTIME",
      "ONNXRUNTIME, or ECHO: zeros of the real output sizes, no compute (benchmark ceiling); "
          + "the flag ignores case",
      (b, v) -> b.engine((GatewayConfig.Engine) v)),
  ONNX_INTRA_OP_THREADS(
      "--onnx-intra-op-threads", "onnx-intra-op-threads", Kind.INT, () -> 1, "1",
      "ONNX Runtime and TensorFlow threads inside one operator, per instance",
      (b, v) -> b.onnxIntraOpThreads((Integer) v)),
  ONNX_INTER_OP_THREADS(
      "--onnx-inter-op-threads", "onnx-inter-op-threads", Kind.INT, () -> 1, "1",
      "ONNX Runtime and TensorFlow threads across operators, per instance",
      (b, v) -> b.onnxInterOpThreads((Integer) v)),
  ONNX_SPINNING(
      "--onnx-spinning", "onnx-spinning", Kind.BOOLEAN, () -> false, "false",
      "whether idle ONNX Runtime threads spin",
      (b, v) -> b.onnxSpinning((Boolean) v)),
  ADMIN_TOKEN_FILE(
      "--admin-token-file", "admin-token-file", Kind.PATH, null, "none",
      "file holding the control plane's bearer token (repository API: `Authorization: Bearer"
          + " <token>`); without it the control plane answers loopback peers only",
      (b, v) -> b.adminTokenFile((Path) v)),
  TLS_CERT_FILE(
      "--tls-cert-file", "tls-cert-file", Kind.PATH, null, "none",
      "PEM certificate chain: HTTP and gRPC serve TLS (with `--tls-key-file`)",
      (b, v) -> b.tlsCertFile((Path) v)),
  TLS_KEY_FILE(
      "--tls-key-file", "tls-key-file", Kind.PATH, null, "none",
      "PEM PKCS#8 private key of `--tls-cert-file`",
      (b, v) -> b.tlsKeyFile((Path) v)),
  TLS_CLIENT_CA_FILE(
      "--tls-client-ca-file", "tls-client-ca-file", Kind.PATH, null, "none",
      "PEM CA certificates: mutual TLS, every client must show a certificate they issued",
      (b, v) -> b.tlsClientCaFile((Path) v)),
  CREDENTIALS_RELOAD_SECONDS(
      "--credentials-reload-seconds", "credentials-reload-seconds", Kind.INT, () -> 10, "10",
      "how often the TLS and admin-token files are checked for change and reloaded; 0 never",
      (b, v) -> b.credentialsReloadSeconds((Integer) v)),
  MAX_OVERRIDE_INSTANCES(
      "--max-override-instances", "max-override-instances", Kind.INT, () -> 8, "8",
      "most instances (all `instance_group`s) a load request's `config` override may ask for",
      (b, v) -> b.maxOverrideInstances((Integer) v)),
  MAX_OVERRIDE_THREADS(
      "--max-override-threads", "max-override-threads", Kind.INT,
      OverrideLimits::defaultMaxThreads, "2 × cores",
      "most `intra_op_thread_count` / `inter_op_thread_count` an override may ask for",
      (b, v) -> b.maxOverrideThreads((Integer) v)),
  MAX_OVERRIDE_QUEUE_DELAY_US(
      "--max-override-queue-delay-us", "max-override-queue-delay-us", Kind.INT,
      () -> 1_000_000, "1000000",
      "longest `max_queue_delay_microseconds` an override may ask for (1 s)",
      (b, v) -> b.maxOverrideQueueDelayMicros((Integer) v)),
  MAX_OVERRIDE_QUEUE_SIZE(
      "--max-override-queue-size", "max-override-queue-size", Kind.INT, () -> 4096, "4096",
      "largest `max_queue_size` of a queue policy an override may ask for",
      (b, v) -> b.maxOverrideQueueSize((Integer) v)),
  MAX_OVERRIDE_BATCH_SIZE(
      "--max-override-batch-size", "max-override-batch-size", Kind.INT, () -> 1024, "1024",
      "largest `max_batch_size` (and warm-up `batch_size`) an override may ask for",
      (b, v) -> b.maxOverrideBatchSize((Integer) v)),
  DRIFT_ENABLED(
      "--drift-enabled", "drift-enabled", Kind.BOOLEAN, () -> true, "true",
      "whether the drift monitor taps every successful inference",
      (b, v) -> b.driftEnabled((Boolean) v)),
  DRIFT_WINDOW_ROWS(
      "--drift-window-rows", "drift-window-rows", Kind.INT, () -> 1000, "1000",
      "rows per drift window (each row of a batched request is one); 0: by time only",
      (b, v) -> b.driftWindowRows((Integer) v)),
  DRIFT_WINDOW_SECONDS(
      "--drift-window-seconds", "drift-window-seconds", Kind.INT, () -> 0, "0",
      "seconds per drift window; 0: by rows only; with both, the first reached closes it",
      (b, v) -> b.driftWindowSeconds((Integer) v)),
  DRIFT_SLIDE_ROWS(
      "--drift-slide-rows", "drift-slide-rows", Kind.INT, () -> 0, "0",
      "a sliding window by rows moves by this many rows (a divisor of the window, which is then"
          + " at most 10,000 rows); 0: tumbling",
      (b, v) -> b.driftSlideRows((Integer) v)),
  DRIFT_SLIDE_SECONDS(
      "--drift-slide-seconds", "drift-slide-seconds", Kind.INT, () -> 0, "0",
      "a sliding window by time moves by this many seconds (a divisor of the window); 0:"
          + " tumbling",
      (b, v) -> b.driftSlideSeconds((Integer) v)),
  DRIFT_MIN_WINDOW_ROWS(
      "--drift-min-window-rows", "drift-min-window-rows", Kind.INT, () -> 1000, "1000",
      "a distance (Wasserstein, Jensen-Shannon) flags no drift on fewer values",
      (b, v) -> b.driftMinWindowRows((Integer) v)),
  DRIFT_P_VALUE_THRESHOLD(
      "--drift-p-value-threshold", "drift-p-value-threshold", Kind.DOUBLE, () -> 0.05, "0.05",
      "KS, chi-square and z drift below this p-value (KS: at or below)",
      (b, v) -> b.driftPValueThreshold((Double) v)),
  DRIFT_DISTANCE_THRESHOLD(
      "--drift-distance-threshold", "drift-distance-threshold", Kind.DOUBLE, () -> 0.1, "0.1",
      "normalised Wasserstein and Jensen-Shannon drift at or above this distance",
      (b, v) -> b.driftDistanceThreshold((Double) v)),
  DRIFT_SHARE_THRESHOLD(
      "--drift-share-threshold", "drift-share-threshold", Kind.DOUBLE, () -> 0.5, "0.5",
      "the dataset drifts (and alerts) when this share of its columns drift",
      (b, v) -> b.driftShareThreshold((Double) v)),
  DRIFT_BOOTSTRAP_ROWS(
      "--drift-bootstrap-rows", "drift-bootstrap-rows", Kind.INT, () -> 1000, "1000",
      "without a reference_profile.json, this many first live rows become the reference",
      (b, v) -> b.driftBootstrapRows((Integer) v)),
  DRIFT_QUEUE_SLOTS(
      "--drift-queue-slots", "drift-queue-slots", Kind.INT, () -> 1024, "1024",
      "preallocated slots between the request path and the monitor thread; a request finding"
          + " none free is dropped (`sluice_monitor_dropped_total`)",
      (b, v) -> b.driftQueueSlots((Integer) v)),
  DRIFT_SLOT_VALUES(
      "--drift-slot-values", "drift-slot-values", Kind.INT, () -> 4096, "4096",
      "values one slot holds (rows × columns of one request); larger requests are dropped and"
          + " counted",
      (b, v) -> b.driftSlotValues((Integer) v)),
  DRIFT_MAX_RATE(
      "--drift-max-rate", "drift-max-rate", Kind.DOUBLE,
      () -> DriftConfig.DEFAULT_MAX_RATE, "500",
      "per model version, records a second the drift monitor and prediction log take at most"
          + " (the rest counted in `sluice_monitor_unsampled_total`); 0: every request; a"
          + " model's `sluice.drift.max_rate` parameter overrides",
      (b, v) -> b.driftMaxRate((Double) v)),
  DRIFT_WEBHOOK_URL(
      "--drift-webhook-url", "drift-webhook-url", Kind.STRING, () -> "", "none",
      "POST a drift alert here (the continuous-training trigger)",
      (b, v) -> b.driftWebhookUrl((String) v)),
  DRIFT_WEBHOOK_TEMPLATE(
      "--drift-webhook-template", "drift-webhook-template", Kind.PATH, null, "built-in",
      "payload template file with `{{placeholders}}` (examples/webhooks/)",
      (b, v) -> b.driftWebhookTemplate((Path) v)),
  DRIFT_WEBHOOK_SECRET(
      "--drift-webhook-secret", "drift-webhook-secret", Kind.STRING, () -> "", "none",
      "HMAC-SHA256 key: the webhook carries `X-Sluice-Signature: sha256=<hex of the body's"
          + " HMAC>`",
      (b, v) -> b.driftWebhookSecret((String) v)),
  DRIFT_WEBHOOK_MIN_INTERVAL_SECONDS(
      "--drift-webhook-min-interval-seconds", "drift-webhook-min-interval-seconds", Kind.INT,
      () -> 300, "300",
      "at most one webhook and one alert log line per model version per this many seconds",
      (b, v) -> b.driftWebhookMinIntervalSeconds((Integer) v)),
  DRIFT_WEBHOOK_RETRIES(
      "--drift-webhook-retries", "drift-webhook-retries", Kind.INT, () -> 3, "3",
      "retries of a failed webhook, 1 s, 2 s, 4 s … apart",
      (b, v) -> b.driftWebhookRetries((Integer) v)),
  ROLLBACK_WEBHOOK(
      "--rollback-webhook", "rollback-webhook", Kind.STRING, () -> "", "none",
      "POST each canary rollback (automatic or manual) here as JSON: model, version, reason",
      (b, v) -> b.rollbackWebhook((String) v)),
  TRAFFIC_STATE_DIR(
      "--traffic-state-dir", "traffic-state-dir", Kind.PATH, null, "none (policies live in memory)",
      "keep each model's traffic policy here (`<model>.json`, written atomically on every change)"
          + " and restore it at start, after the models load",
      (b, v) -> b.trafficStateDir((Path) v)),
  SHADOW_QUEUE_SIZE(
      "--shadow-queue-size", "shadow-queue-size", Kind.INT, () -> 1024, "1024",
      "shadow copies waiting to run; when full a copy is dropped and counted"
          + " (`sluice_shadow_dropped_total`), never waited for",
      (b, v) -> b.shadowQueueSize((Integer) v)),
  SHADOW_MAX_IN_FLIGHT(
      "--shadow-max-in-flight", "shadow-max-in-flight", Kind.INT, () -> 16, "16",
      "shadow requests queued on the shadow versions at once; more wait in the shadow queue",
      (b, v) -> b.shadowMaxInFlight((Integer) v)),
  MLFLOW_ROLLOUT(
      "--mlflow-rollout", "mlflow-rollout", Kind.BOOLEAN, () -> false, "false",
      "when the second alias of `--mlflow-aliases` (`challenger`) moves to a new version, roll"
          + " it out: shadow, then the canary steps, each gated on the guards; promoted or"
          + " rolled back by itself",
      (b, v) -> b.rolloutOnChallenger((Boolean) v)),
  ROLLOUT_STEPS(
      "--rollout-steps", "rollout-steps", Kind.LIST, () -> "5,25,50", "5,25,50",
      "an alias-driven rollout's canary weights in percent, in order",
      (b, v) -> b.rolloutSteps(Setting.list(v))),
  ROLLOUT_STEP_SECONDS(
      "--rollout-step-seconds", "rollout-step-seconds", Kind.INT, () -> 60, "60",
      "how long an alias-driven rollout holds each canary step",
      (b, v) -> b.rolloutStepSeconds((Integer) v)),
  ROLLOUT_SHADOW_SECONDS(
      "--rollout-shadow-seconds", "rollout-shadow-seconds", Kind.INT, () -> 30, "30",
      "how long an alias-driven rollout first runs the challenger as a shadow of all traffic"
          + " (agreement scored); 0 skips it",
      (b, v) -> b.rolloutShadowSeconds((Integer) v)),
  MLFLOW_PROMOTE(
      "--mlflow-promote", "mlflow-promote", Kind.BOOLEAN, () -> true, "true",
      "after an alias-driven rollout, move `champion` to the winner in MLflow (and tag a"
          + " rolled-back version `sluice.rollback` with the reason); false, or MLflow refusing,"
          + " reports \"ready to promote\" instead",
      (b, v) -> b.mlflowPromote((Boolean) v)),
  PREDICTION_LOG_DIR(
      "--prediction-log-dir", "prediction-log-dir", Kind.PATH, null, "none",
      "write one JSON line per monitored request to `predictions.jsonl` here (needs the drift"
          + " monitor; rotated files `.1`, `.2` …)",
      (b, v) -> b.predictionLogDir((Path) v)),
  PREDICTION_LOG_MAX_BYTES(
      "--prediction-log-max-bytes", "prediction-log-max-bytes", Kind.INT, () -> 64 * 1024 * 1024,
      "64 MiB", "rotate the prediction log past this size",
      (b, v) -> b.predictionLogMaxBytes((Integer) v)),
  PREDICTION_LOG_FILES(
      "--prediction-log-files", "prediction-log-files", Kind.INT, () -> 5, "5",
      "rotated prediction log files kept besides the current one",
      (b, v) -> b.predictionLogFiles((Integer) v)),
  PREDICTION_LOG_KAFKA_BOOTSTRAP(
      "--prediction-log-kafka-bootstrap", "prediction-log-kafka-bootstrap", Kind.STRING, () -> "",
      "none",
      "also send each prediction log record to Kafka at these brokers (`host:port,…`; needs the"
          + " drift monitor; with or without `--prediction-log-dir`)",
      (b, v) -> b.predictionLogKafkaBootstrap((String) v)),
  PREDICTION_LOG_KAFKA_TOPIC(
      "--prediction-log-kafka-topic", "prediction-log-kafka-topic", Kind.STRING,
      () -> "sluice-predictions", "sluice-predictions",
      "the Kafka topic of the prediction log (one message per request, key = request id)",
      (b, v) -> b.predictionLogKafkaTopic((String) v)),
  PREDICTION_LOG_KAFKA_DELIVERY_TIMEOUT_MS(
      "--prediction-log-kafka-delivery-timeout-ms", "prediction-log-kafka-delivery-timeout-ms",
      Kind.INT, () -> 30_000, "30000",
      "a record the broker has not acknowledged within this is dropped and counted",
      (b, v) -> b.predictionLogKafkaDeliveryTimeoutMs((Integer) v)),
  OTEL_ENDPOINT(
      "--otel-endpoint", "otel-endpoint", Kind.URI, null, "none (off)",
      "export OpenTelemetry spans of each request (queue, batch, compute) to this OTLP receiver"
          + " (`http://collector:4318` for http/protobuf, `:4317` for grpc); parented on the"
          + " caller's `traceparent`",
      (b, v) -> b.otelEndpoint((java.net.URI) v)),
  OTEL_PROTOCOL(
      "--otel-protocol", "otel-protocol", Kind.STRING, () -> "http/protobuf", "http/protobuf",
      "OTLP transport: `http/protobuf` (the endpoint's `/v1/traces`) or `grpc`",
      (b, v) -> b.otelProtocol((String) v)),
  OTEL_SAMPLING_RATIO(
      "--otel-sampling-ratio", "otel-sampling-ratio", Kind.DOUBLE, () -> 1.0, "1.0",
      "share of traces starting here that are sampled (0..1); a caller's `traceparent` sampled"
          + " flag decides for its own trace",
      (b, v) -> b.otelSamplingRatio((Double) v)),
  OTEL_SERVICE_NAME(
      "--otel-service-name", "otel-service-name", Kind.STRING, () -> "sluice", "sluice",
      "the spans' `service.name`",
      (b, v) -> b.otelServiceName((String) v));

  /** A setting's value type: how picocli converts a flag and how a YAML value is read. */
  enum Kind {
    STRING(String.class, "string"),
    INT(Integer.class, "int"),
    DOUBLE(Double.class, "number"),
    BOOLEAN(Boolean.class, "true/false"),
    PATH(Path.class, "path"),
    URI(java.net.URI.class, "URI"),
    LIST(String.class, "list of names"),
    ENGINE(GatewayConfig.Engine.class, "ONNXRUNTIME/ECHO"),
    LOG_FORMAT(LogFormat.class, "TEXT/JSON");

    final Class<?> type;
    final String typeName;

    Kind(Class<?> type, String typeName) {
      this.type = type;
      this.typeName = typeName;
    }

    Object fromYaml(ObjectMapper yaml, JsonNode value) throws IOException {
      // Jackson reads a path as a URI where it can; a repository is a plain file name.
      if (this == LIST) {
        if (value.isArray()) {
          java.util.List<String> out = new java.util.ArrayList<>();
          for (JsonNode e : value) {
            out.add(e.asText());
          }
          return out;
        }
        return yaml.treeToValue(value, String.class);
      }
      if (this == URI) {
        return java.net.URI.create(yaml.treeToValue(value, String.class));
      }
      return this == PATH
          ? Path.of(yaml.treeToValue(value, String.class))
          : yaml.treeToValue(value, type);
    }
  }

  private final String flag;
  private final String yamlKey;
  private final Kind kind;
  private final Supplier<?> defaultValue;
  private final String defaultText;
  private final String meaning;
  private final BiConsumer<GatewayConfig.Builder, Object> apply;

  Setting(
      String flag,
      String yamlKey,
      Kind kind,
      Supplier<?> defaultValue,
      String defaultText,
      String meaning,
      BiConsumer<GatewayConfig.Builder, Object> apply) {
    this.flag = flag;
    this.yamlKey = yamlKey;
    this.kind = kind;
    this.defaultValue = defaultValue;
    this.defaultText = defaultText;
    this.meaning = meaning;
    this.apply = apply;
  }

  String flag() {
    return flag;
  }

  /** The key in a {@code --config} file; empty for the command's own options. */
  Optional<String> yamlKey() {
    return Optional.ofNullable(yamlKey);
  }

  Kind kind() {
    return kind;
  }

  /** Sets {@code value}, of {@link #kind()}'s type, on {@code builder}; the command's own skip. */
  void applyTo(GatewayConfig.Builder builder, Object value) {
    if (apply != null) {
      apply.accept(builder, value);
    }
  }

  static void applyDefaults(GatewayConfig.Builder builder) {
    for (Setting s : values()) {
      if (s.defaultValue != null) {
        s.applyTo(builder, s.defaultValue.get());
      }
    }
  }

  static Optional<Setting> forYamlKey(String key) {
    return Arrays.stream(values()).filter(s -> key.equals(s.yamlKey)).findFirst();
  }

  /** Every YAML key, in table order, for error messages. */
  static String yamlKeys() {
    return Arrays.stream(values())
        .map(s -> s.yamlKey)
        .filter(k -> k != null)
        .collect(Collectors.joining(", "));
  }

  /**
   * The picocli option: no initial value, so an unset flag reads {@code null} and the file or the
   * default decides. Booleans take an explicit value ({@code --strict-readiness false}).
   */
  OptionSpec optionSpec() {
    String help = meaning.replace("`", "");
    if (defaultValue != null) {
      help += " (default: " + defaultText + ")";
    }
    if (kind == Kind.LIST) {
      return OptionSpec.builder(flag)
          .type(java.util.List.class)
          .auxiliaryTypes(String.class)
          .arity("1")
          .paramLabel("<" + camelCase(flag.substring(2)) + ">")
          .description(help)
          .build();
    }
    return OptionSpec.builder(flag)
        .type(kind.type)
        .arity("1")
        .paramLabel("<" + camelCase(flag.substring(2)) + ">")
        .description(help)
        .build();
  }

  /** The README's table, one row per setting. */
  static String markdownTable() {
    StringBuilder out =
        new StringBuilder("| flag | YAML key | type | default | meaning |\n|---|---|---|---|---|\n");
    for (Setting s : values()) {
      String key = s.yamlKey == null ? "(flag only)" : "`" + s.yamlKey + "`";
      String dflt =
          s.defaultValue != null && s.kind != Kind.INT && s.kind != Kind.DOUBLE
              ? "`" + s.defaultText + "`" : s.defaultText;
      out.append("| `").append(s.flag).append("` | ").append(key).append(" | ")
          .append(s.kind.typeName).append(" | ").append(dflt).append(" | ")
          .append(s.meaning).append(" |\n");
    }
    return out.toString();
  }

  /**
   * A LIST setting's value as names: a flag repeated (picocli's list), a YAML list, or one
   * comma-separated string; blanks dropped.
   */
  static java.util.List<String> list(Object value) {
    java.util.List<String> out = new java.util.ArrayList<>();
    java.util.List<?> parts = value instanceof java.util.List<?> l ? l : java.util.List.of(value);
    for (Object part : parts) {
      for (String name : part.toString().split(",")) {
        if (!name.isBlank()) {
          out.add(name.strip());
        }
      }
    }
    return out;
  }

  private static String camelCase(String dashed) {
    StringBuilder out = new StringBuilder();
    boolean upper = false;
    for (char c : dashed.toCharArray()) {
      if (c == '-') {
        upper = true;
      } else {
        out.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return out.toString();
  }
}
