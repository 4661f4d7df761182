package io.sluice.gateway.security;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for tests (BouncyCastle): a CA, server certificates for
 * 127.0.0.1 / localhost and client certificates it issues, written as PEM the way an operator's
 * files are (certificate chain; PKCS#8 key), and JDK {@link SSLContext}s for clients. Nothing is
 * committed: every run makes its own keys.
 */
public final class TestPki {
  private final String algorithm;
  private final KeyPair caKeys;
  private final X509Certificate ca;

  /** A certificate and its key. */
  public record Issued(X509Certificate certificate, PrivateKey key) {
    public BigInteger serial() {
      return certificate.getSerialNumber();
    }

    /** Writes the certificate and its key as PEM. */
    public void write(Path certificateFile, Path keyFile) throws IOException {
      writePem(certificateFile, certificate);
      try (Writer w = Files.newBufferedWriter(keyFile, StandardCharsets.US_ASCII);
          JcaPEMWriter pem = new JcaPEMWriter(w)) {
        pem.writeObject(new JcaPKCS8Generator(key, null));
      }
    }
  }

  private TestPki(String algorithm) throws GeneralSecurityException {
    this.algorithm = algorithm;
    this.caKeys = keyPair(algorithm);
    this.ca = sign(new X500Name("CN=Sluice Test CA"), caKeys, BigInteger.ONE, caKeys, true, null,
        null, Duration.ofDays(1));
  }

  /** A CA with EC P-256 keys (fast to make). */
  public static TestPki create() throws GeneralSecurityException {
    return new TestPki("EC");
  }

  /** A CA whose certificates carry {@code algorithm} keys ({@code EC} or {@code RSA}). */
  public static TestPki create(String algorithm) throws GeneralSecurityException {
    return new TestPki(algorithm);
  }

  public X509Certificate caCertificate() {
    return ca;
  }

  public void writeCa(Path file) throws IOException {
    writePem(file, ca);
  }

  /** A server certificate for 127.0.0.1 and localhost. */
  public Issued server(String commonName, long serial) throws GeneralSecurityException {
    return issue(commonName, serial, KeyPurposeId.id_kp_serverAuth, Duration.ofDays(1));
  }

  /** A server certificate that expired an hour ago. */
  public Issued expiredServer(String commonName, long serial) throws GeneralSecurityException {
    return issue(commonName, serial, KeyPurposeId.id_kp_serverAuth, Duration.ofHours(-1));
  }

  public Issued client(String commonName, long serial) throws GeneralSecurityException {
    return issue(commonName, serial, KeyPurposeId.id_kp_clientAuth, Duration.ofDays(1));
  }

  private Issued issue(String cn, long serial, KeyPurposeId purpose, Duration validFor)
      throws GeneralSecurityException {
    KeyPair keys = keyPair(algorithm);
    GeneralNames names = new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
        new GeneralName(GeneralName.dNSName, "localhost")});
    return new Issued(
        sign(new X500Name("CN=" + cn), keys, BigInteger.valueOf(serial), caKeys, false, names,
            purpose, validFor),
        keys.getPrivate());
  }

  /**
   * A client context trusting this CA, showing {@code identity} when present; {@code seen}, when
   * given, collects every server chain it is shown.
   */
  public SSLContext clientContext(Optional<Issued> identity, List<X509Certificate[]> seen)
      throws GeneralSecurityException, IOException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    X509ExtendedTrustManager delegate = (X509ExtendedTrustManager) tmf.getTrustManagers()[0];
    KeyManagerFactory kmf = null;
    if (identity.isPresent()) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("client", identity.get().key(), new char[0],
          new X509Certificate[] {identity.get().certificate(), ca});
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf == null ? null : kmf.getKeyManagers(),
        new javax.net.ssl.TrustManager[] {recording(delegate, seen)}, null);
    return context;
  }

  /** A trust manager that trusts this CA and records each server chain it checks. */
  public X509TrustManager recordingTrustManager(List<X509Certificate[]> seen)
      throws GeneralSecurityException, IOException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    return recording((X509ExtendedTrustManager) tmf.getTrustManagers()[0], seen);
  }

  public static List<X509Certificate[]> recorder() {
    return new CopyOnWriteArrayList<>();
  }

  private static X509ExtendedTrustManager recording(
      X509ExtendedTrustManager d, List<X509Certificate[]> seen) {
    return new X509ExtendedTrustManager() {
      private void record(X509Certificate[] chain) {
        if (seen != null) {
          seen.add(chain);
        }
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s)
          throws java.security.cert.CertificateException {
        d.checkServerTrusted(chain, authType, s);
        record(chain);
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e)
          throws java.security.cert.CertificateException {
        d.checkServerTrusted(chain, authType, e);
        record(chain);
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType)
          throws java.security.cert.CertificateException {
        d.checkServerTrusted(chain, authType);
        record(chain);
      }

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s)
          throws java.security.cert.CertificateException {
        d.checkClientTrusted(chain, authType, s);
      }

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e)
          throws java.security.cert.CertificateException {
        d.checkClientTrusted(chain, authType, e);
      }

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType)
          throws java.security.cert.CertificateException {
        d.checkClientTrusted(chain, authType);
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return d.getAcceptedIssuers();
      }
    };
  }

  /**
   * An address of this machine that is not loopback, to call a server bound to every interface
   * from a peer the admin guard sees as remote; empty on a machine without one.
   */
  public static Optional<java.net.InetAddress> nonLoopbackAddress() {
    try {
      for (var nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (var a : java.util.Collections.list(nic.getInetAddresses())) {
          if (a instanceof java.net.Inet4Address && !a.isLoopbackAddress()) {
            return Optional.of(a);
          }
        }
      }
    } catch (java.net.SocketException e) {
      // No interfaces to list: treat as none.
    }
    return Optional.empty();
  }

  private static KeyPair keyPair(String algorithm) throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
    g.initialize(algorithm.equals("RSA") ? 2048 : 256);
    return g.generateKeyPair();
  }

  private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, BigInteger serial,
      KeyPair issuerKeys, boolean isCa, GeneralNames names, KeyPurposeId purpose,
      Duration validFor) throws GeneralSecurityException {
    Instant now = Instant.now();
    Instant notBefore =
        validFor.isNegative() ? now.minus(Duration.ofDays(2)) : now.minusSeconds(60);
    Instant notAfter = now.plus(validFor);
    try {
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
          isCa ? subject : new X500Name("CN=Sluice Test CA"), serial, Date.from(notBefore),
          Date.from(notAfter), subject, subjectKeys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
      if (names != null) {
        b.addExtension(Extension.subjectAlternativeName, false, names);
      }
      if (purpose != null) {
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      }
      String sig = issuerKeys.getPrivate().getAlgorithm().equals("RSA")
          ? "SHA256withRSA" : "SHA256withECDSA";
      return new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder(sig).build(issuerKeys.getPrivate())));
    } catch (org.bouncycastle.operator.OperatorCreationException | IOException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static void writePem(Path file, Object object) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(object);
    }
  }
}
