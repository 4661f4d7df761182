package io.sluice.gateway.security;

import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.CertificateUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's certificate, key and client CAs, read from {@link TlsFiles} into key and trust
 * managers that every TLS handshake asks afresh (grpc-java's {@link AdvancedTlsX509KeyManager}
 * and {@link AdvancedTlsX509TrustManager}). Both servers' {@code SslContext}s are built once over
 * these managers, so {@link #reload()} swapping the credentials in them changes what new
 * connections see, while connections already established keep the session they have.
 *
 * <p>What is read is checked before it is used: the chain's first certificate must be valid now
 * and match the private key (a test signature), and a client CA file must hold at least one
 * certificate. Whatever fails a check (at start-up an error, on reload) leaves the credentials in
 * force as they were.
 */
final class TlsCredentials {
  private static final Logger log = LoggerFactory.getLogger(TlsCredentials.class);

  private final TlsFiles files;
  private final AdvancedTlsX509KeyManager keyManager = new AdvancedTlsX509KeyManager();
  private final AdvancedTlsX509TrustManager trustManager;
  private volatile X509Certificate leaf;

  private TlsCredentials(TlsFiles files, AdvancedTlsX509TrustManager trustManager) {
    this.files = files;
    this.trustManager = trustManager;
  }

  /**
   * Reads and checks {@code files}.
   *
   * @throws IllegalArgumentException when a file cannot be read or fails a check
   */
  static TlsCredentials load(TlsFiles files) {
    try {
      // A client's certificate must chain to a client CA; host names are not checked.
      TlsCredentials c = new TlsCredentials(files, files.clientCa().isEmpty() ? null
          : AdvancedTlsX509TrustManager.newBuilder()
              .setVerification(
                  AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
              .build());
      c.reload();
      return c;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("TLS: " + e.getMessage(), e);
    }
  }

  TlsFiles files() {
    return files;
  }

  AdvancedTlsX509KeyManager keyManager() {
    return keyManager;
  }

  /** The client CAs' trust manager; empty without mutual TLS. */
  Optional<AdvancedTlsX509TrustManager> trustManager() {
    return Optional.ofNullable(trustManager);
  }

  /** The certificate new connections are shown. */
  X509Certificate certificate() {
    return leaf;
  }

  /**
   * Reads every file again and, when all pass their checks, puts them in force.
   *
   * @throws IOException or GeneralSecurityException naming the file and the problem; nothing
   *     changed
   */
  void reload() throws IOException, GeneralSecurityException {
    X509Certificate[] chain = certificates(files.certificateChain(), "--tls-cert-file");
    PrivateKey key;
    try (InputStream in = Files.newInputStream(files.privateKey())) {
      key = CertificateUtils.getPrivateKey(in);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new GeneralSecurityException(
          "--tls-key-file " + files.privateKey() + ": no PKCS#8 private key ("
              + e.getMessage() + "; expected: PEM 'BEGIN PRIVATE KEY', e.g. from openssl genpkey)",
          e);
    }
    X509Certificate first = chain[0];
    try {
      first.checkValidity();
    } catch (GeneralSecurityException e) {
      throw new GeneralSecurityException(
          "--tls-cert-file " + files.certificateChain() + ": the certificate is not valid now ("
              + first.getNotBefore() + " .. " + first.getNotAfter() + ")",
          e);
    }
    checkPair(first, key);
    X509Certificate[] cas = null;
    if (files.clientCa().isPresent()) {
      cas = certificates(files.clientCa().get(), "--tls-client-ca-file");
    }
    // Everything read and checked: put it in force, trust first, then identity.
    if (cas != null) {
      trustManager.updateTrustCredentials(cas);
    }
    keyManager.updateIdentityCredentials(chain, key);
    leaf = first;
    log.info(
        "TLS certificate in force: subject '{}', serial {}, valid until {}",
        first.getSubjectX500Principal().getName(), first.getSerialNumber().toString(16),
        first.getNotAfter().toInstant());
  }

  private static X509Certificate[] certificates(Path file, String flag)
      throws IOException, GeneralSecurityException {
    X509Certificate[] certs;
    try (InputStream in = Files.newInputStream(file)) {
      certs = CertificateUtils.getX509Certificates(in);
    } catch (IOException e) {
      throw new IOException(flag + " " + file + ": cannot be read (" + e.getMessage() + ")", e);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new GeneralSecurityException(
          flag + " " + file + ": not PEM certificates (" + e.getMessage() + ")", e);
    }
    if (certs.length == 0) {
      throw new GeneralSecurityException(
          flag + " " + file + ": no certificate (expected: PEM 'BEGIN CERTIFICATE' blocks)");
    }
    return certs;
  }

  /** Signs a random challenge with {@code key} and verifies it with the certificate's key. */
  private void checkPair(X509Certificate certificate, PrivateKey key)
      throws GeneralSecurityException {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          case "Ed448" -> "Ed448";
          default -> null;
        };
    if (algorithm == null) {
      return; // An unusual key type: the handshake is the check.
    }
    byte[] challenge = new byte[32];
    new SecureRandom().nextBytes(challenge);
    boolean matches;
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(challenge);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      matches = false;
    }
    if (!matches) {
      throw new GeneralSecurityException(
          "--tls-key-file " + files.privateKey() + " is not the key of the certificate in"
              + " --tls-cert-file " + files.certificateChain());
    }
  }
}
