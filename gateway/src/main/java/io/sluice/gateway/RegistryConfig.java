package io.sluice.gateway;

import io.sluice.gateway.core.ModelControlMode;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which MLflow registered models to follow, and how.
 *
 * @param mlflowUri the tracking server; empty: no MLflow models
 * @param models the registered models to serve, each under its MLflow name
 * @param aliases the aliases whose versions are loaded; a request naming no version goes to the
 *     first one's ({@code champion}), the others are served by explicit version number
 * @param pollSeconds how often each model's aliases are read (with ±10% jitter)
 * @param modelCache where fetched versions are kept, reused after a restart
 * @param tokenFile a bearer token for the server; else {@code MLFLOW_TRACKING_TOKEN}
 * @param basicAuthFile {@code user:password} for the server; else {@code
 *     MLFLOW_TRACKING_USERNAME} and {@code MLFLOW_TRACKING_PASSWORD}
 * @param repositoryPollSeconds how often the folder repository is checked for new, changed and
 *     removed models; 0 never. In {@code poll} mode 0 (not given) means {@link
 *     #DEFAULT_POLL_MODE_SECONDS}
 * @param controlMode Triton's model control mode: whether the repository API may load and unload,
 *     and whether the folder is polled
 * @param webhookSecretFile the secret MLflow signs webhook deliveries with; empty: {@code POST
 *     /v2/registry/webhook} answers 404
 */
public record RegistryConfig(
    Optional<URI> mlflowUri,
    List<String> models,
    List<String> aliases,
    int pollSeconds,
    Path modelCache,
    Optional<Path> tokenFile,
    Optional<Path> basicAuthFile,
    Optional<Path> webhookSecretFile,
    int repositoryPollSeconds,
    ModelControlMode controlMode) {

  /** The folder's poll interval in {@code poll} mode when none is given (Triton polls every 15 s). */
  public static final int DEFAULT_POLL_MODE_SECONDS = 15;

  public RegistryConfig {
    Objects.requireNonNull(controlMode, "controlMode");
    Objects.requireNonNull(mlflowUri, "mlflowUri");
    models = List.copyOf(models);
    aliases = List.copyOf(aliases);
    Objects.requireNonNull(modelCache, "modelCache");
    Objects.requireNonNull(tokenFile, "tokenFile");
    Objects.requireNonNull(basicAuthFile, "basicAuthFile");
    Objects.requireNonNull(webhookSecretFile, "webhookSecretFile");
    if (repositoryPollSeconds < 0) {
      throw new IllegalArgumentException(
          "repositoryPollSeconds: " + repositoryPollSeconds + " (expected: >= 0, 0 for never)");
    }
    if (controlMode == ModelControlMode.NONE && repositoryPollSeconds > 0) {
      throw new IllegalArgumentException("repository-poll-interval " + repositoryPollSeconds
          + " with model-control-mode none (expected: 0, or model-control-mode poll)");
    }
    if (controlMode == ModelControlMode.POLL && repositoryPollSeconds == 0) {
      repositoryPollSeconds = DEFAULT_POLL_MODE_SECONDS;
    }
    GatewayConfig.checkPositive("mlflowPollSeconds", pollSeconds);
    if (!models.isEmpty() && mlflowUri.isEmpty()) {
      throw new IllegalArgumentException(
          "mlflow-model " + models + " without an mlflow-uri (expected: --mlflow-uri URI)");
    }
    if (mlflowUri.isPresent() && models.isEmpty()) {
      throw new IllegalArgumentException(
          "mlflow-uri " + mlflowUri.get() + " without a model (expected: --mlflow-model NAME)");
    }
    if (aliases.isEmpty()) {
      throw new IllegalArgumentException("mlflow-aliases: empty (expected: e.g. champion)");
    }
    if (models.stream().distinct().count() != models.size()) {
      throw new IllegalArgumentException("mlflow-model " + models + " (expected: no repeats)");
    }
  }

  /** Whether any MLflow model is to be served. */
  public boolean enabled() {
    return mlflowUri.isPresent();
  }
}
