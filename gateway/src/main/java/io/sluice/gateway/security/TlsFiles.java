package io.sluice.gateway.security;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the server's TLS credentials are, all PEM.
 *
 * @param certificateChain the server's certificate first, then any intermediates
 * @param privateKey the certificate's private key, PKCS#8 ({@code BEGIN PRIVATE KEY}, as {@code
 *     openssl genpkey} writes it), unencrypted
 * @param clientCa the CA certificates a client's certificate must chain to; present, every client
 *     must show one (mutual TLS)
 */
public record TlsFiles(Path certificateChain, Path privateKey, Optional<Path> clientCa) {

  public TlsFiles {
    Objects.requireNonNull(certificateChain, "certificateChain");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(clientCa, "clientCa");
  }
}
