package io.sluice.gateway;

import io.sluice.gateway.model.OverrideLimits;
import io.sluice.gateway.security.TlsFiles;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Who may change the server, how far, and how its connections are encrypted.
 *
 * @param adminTokenFile the file whose content is the control plane's bearer token; empty: the
 *     control plane answers loopback peers only
 * @param tls the PEM files HTTP and gRPC serve TLS with; empty: plain text
 * @param credentialsReloadSeconds how often the TLS and token files are checked for change; 0
 *     never
 * @param overrideLimits how far a load request's {@code config} override may go
 */
public record SecurityConfig(
    Optional<Path> adminTokenFile,
    Optional<TlsFiles> tls,
    int credentialsReloadSeconds,
    OverrideLimits overrideLimits) {

  public SecurityConfig {
    Objects.requireNonNull(adminTokenFile, "adminTokenFile");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(overrideLimits, "overrideLimits");
    if (credentialsReloadSeconds < 0) {
      throw new IllegalArgumentException(
          "credentialsReloadSeconds: " + credentialsReloadSeconds + " (expected: >= 0)");
    }
  }

  /**
   * The TLS files from the three flags: certificate and key together or neither, and client CAs
   * only with them.
   */
  static Optional<TlsFiles> tls(Path certificate, Path key, Path clientCa) {
    if (certificate == null && key == null) {
      if (clientCa != null) {
        throw new IllegalArgumentException(
            "--tls-client-ca-file " + clientCa + " needs --tls-cert-file and --tls-key-file"
                + " (expected: mutual TLS on top of TLS)");
      }
      return Optional.empty();
    }
    if (certificate == null || key == null) {
      throw new IllegalArgumentException(
          (certificate == null ? "--tls-key-file without --tls-cert-file"
              : "--tls-cert-file without --tls-key-file")
              + " (expected: both, or neither for plain text)");
    }
    return Optional.of(new TlsFiles(certificate, key, Optional.ofNullable(clientCa)));
  }
}
