package io.sluice.gateway.core;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The control plane: the repository index, load and unload. Never blocks the caller. */
public interface RepositoryControl {

  /** Every model in the repository with its versions' states. */
  List<IndexEntry> repositoryIndex(boolean readyOnly);

  /**
   * Loads (or reloads) a model. {@code parameters} may carry {@code "config"}: a JSON
   * ModelConfig that replaces config.pbtxt, as Triton's load API allows.
   */
  CompletableFuture<Void> load(String model, Map<String, String> parameters);

  CompletableFuture<Void> unload(String model);

  /**
   * A registry's push notification: verified, then a poll of the registry is triggered. The
   * default knows no webhook (NOT_FOUND).
   */
  default RegistryWebhook.Verdict registryWebhook(
      byte[] body, java.util.function.UnaryOperator<String> header) {
    return RegistryWebhook.NONE.receive(body, header);
  }
}
