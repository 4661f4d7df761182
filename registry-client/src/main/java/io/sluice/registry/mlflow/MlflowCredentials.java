package io.sluice.registry.mlflow;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * What the client puts in {@code Authorization}: nothing, HTTP basic or a bearer token, the way
 * MLflow's own client chooses (basic wins when both are given). Secrets come from a file or from
 * MLflow's environment variables and are never printed: {@link #toString()} names only the kind.
 */
public final class MlflowCredentials {
  private static final MlflowCredentials NONE = new MlflowCredentials("none", null);

  private final String kind;
  private final String header;

  private MlflowCredentials(String kind, String header) {
    this.kind = kind;
    this.header = header;
  }

  public static MlflowCredentials none() {
    return NONE;
  }

  public static MlflowCredentials basic(String user, String password) {
    String pair = user + ":" + password;
    return new MlflowCredentials(
        "basic", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
  }

  public static MlflowCredentials bearer(String token) {
    return new MlflowCredentials("bearer", "Bearer " + token);
  }

  /**
   * From the first that is given: {@code basicFile} (one line {@code user:password}), {@code
   * tokenFile} (the token), {@code MLFLOW_TRACKING_USERNAME} and {@code MLFLOW_TRACKING_PASSWORD},
   * {@code MLFLOW_TRACKING_TOKEN}; else none.
   *
   * @throws IOException when a file cannot be read or is malformed (the message never holds it)
   */
  public static MlflowCredentials resolve(
      Optional<Path> basicFile, Optional<Path> tokenFile, Map<String, String> env)
      throws IOException {
    if (basicFile.isPresent()) {
      String line = Files.readString(basicFile.get(), StandardCharsets.UTF_8).strip();
      int colon = line.indexOf(':');
      if (colon <= 0 || line.indexOf('\n') >= 0) {
        throw new IOException(
            basicFile.get() + ": not one line user:password (expected: user:password)");
      }
      return basic(line.substring(0, colon), line.substring(colon + 1));
    }
    if (tokenFile.isPresent()) {
      String token = Files.readString(tokenFile.get(), StandardCharsets.UTF_8).strip();
      if (token.isEmpty() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
        throw new IOException(
            tokenFile.get() + ": not a token (expected: one line of printable ASCII)");
      }
      return bearer(token);
    }
    String user = env.get("MLFLOW_TRACKING_USERNAME");
    String password = env.get("MLFLOW_TRACKING_PASSWORD");
    if (user != null && !user.isEmpty() && password != null) {
      return basic(user, password);
    }
    String token = env.get("MLFLOW_TRACKING_TOKEN");
    if (token != null && !token.isEmpty()) {
      return bearer(token);
    }
    return NONE;
  }

  /** The {@code Authorization} header's value; empty for none. */
  Optional<String> header() {
    return Optional.ofNullable(header);
  }

  /** "none", "basic" or "bearer": never the secret. */
  @Override
  public String toString() {
    return kind;
  }
}
