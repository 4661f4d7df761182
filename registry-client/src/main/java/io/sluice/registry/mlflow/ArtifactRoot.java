package io.sluice.registry.mlflow;

import java.net.URI;
import java.nio.file.Path;

/** Where a version's files can be listed and read from, once its URI is resolved. */
public sealed interface ArtifactRoot {

  /**
   * Through MLflow's artifact proxy ({@code mlflow-artifacts:}).
   *
   * @param base the server, scheme to path prefix, without a trailing slash
   * @param path the root, relative to the proxy's artifact destination, without leading slash
   */
  record Proxy(URI base, String path) implements ArtifactRoot {}

  /** A folder on this machine ({@code file:}), read directly. */
  record Local(Path directory) implements ArtifactRoot {}
}
