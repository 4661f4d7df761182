package io.sluice.gateway.security;

import io.grpc.netty.GrpcSslContexts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the front ends need to know about security, built once at start-up: the {@link
 * AdminGuard} for control-plane calls and, with TLS, one Netty {@link SslContext} per server.
 *
 * <p>TLS uses netty-tcnative's BoringSSL ({@link SslProvider#OPENSSL}) where it loads and the
 * JDK's provider otherwise; which one is logged once. The contexts are built over key and trust
 * managers that are asked on every handshake ({@link TlsCredentials}), so a reload reaches new
 * connections of both servers without rebuilding anything: HTTP creates its {@code SslHandler}
 * per connection from {@link #httpSslContext()}, and grpc-java's server, which takes one fixed
 * context, is given {@link #grpcSslContext()} (ALPN h2, grpc's ciphers) over the same managers.
 *
 * <p>Reload: with a period, the TLS files and the token file are polled ({@link FileWatcher}) on
 * the scheduler the caller passes in; a change is read, checked and put in force, or, when the
 * new files fail a check, logged and the old credentials kept. Each attempt is counted in {@code
 * sluice_credential_reloads_total{credential="tls"|"admin_token",result="ok"|"failed"}}.
 * {@link #close()} stops the polling; the caller owns the scheduler.
 */
public final class ServerSecurity implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServerSecurity.class);
  static final String RELOADS_METRIC = "sluice_credential_reloads";

  private final AdminGuard admin;
  private final AdminToken token;
  private final TlsCredentials tls;
  private final SslContext http;
  private final SslContext grpc;
  private final MeterRegistry registry;
  private final List<FileWatcher> watchers = new ArrayList<>();

  private ServerSecurity(Builder b) {
    this.registry = b.registry;
    this.token = b.adminTokenFile == null ? null : AdminToken.read(b.adminTokenFile);
    this.admin =
        token == null ? AdminGuard.loopbackOnly(registry) : AdminGuard.withToken(token, registry);
    this.tls = b.tls == null ? null : TlsCredentials.load(b.tls);
    if (tls != null) {
      SslProvider provider = b.provider != null ? b.provider : defaultProvider();
      this.http = build(tls, provider, false);
      this.grpc = build(tls, provider, true);
      log.info("TLS on HTTP and gRPC with the {} provider{}", provider,
          provider == SslProvider.OPENSSL ? " (" + OpenSsl.versionString() + ")" : "");
    } else {
      this.http = null;
      this.grpc = null;
    }
    log.info(
        token != null
            ? "control plane (repository API): bearer token from --admin-token-file"
            : "control plane (repository API): loopback peers only (no --admin-token-file)");
  }

  /** No token (control plane on loopback only), no TLS: the defaults. */
  public static ServerSecurity plain() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** BoringSSL where netty-tcnative loads here ({@link OpenSsl#isAvailable()}), else the JDK. */
  static SslProvider defaultProvider() {
    return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
  }

  private static SslContext build(TlsCredentials tls, SslProvider provider, boolean forGrpc) {
    SslContextBuilder b = SslContextBuilder.forServer(tls.keyManager());
    b = forGrpc ? GrpcSslContexts.configure(b, provider) : b.sslProvider(provider);
    if (tls.trustManager().isPresent()) {
      b.trustManager(tls.trustManager().get()).clientAuth(ClientAuth.REQUIRE);
    }
    try {
      return b.build();
    } catch (SSLException e) {
      throw new IllegalArgumentException("TLS: cannot build the server context: " + e.getMessage(),
          e);
    }
  }

  public AdminGuard admin() {
    return admin;
  }

  /** The HTTP server's context; empty when serving plain HTTP. */
  public Optional<SslContext> httpSslContext() {
    return Optional.ofNullable(http);
  }

  /** The gRPC server's context (ALPN h2); empty when serving plaintext gRPC. */
  public Optional<SslContext> grpcSslContext() {
    return Optional.ofNullable(grpc);
  }

  /** The certificate new TLS connections are shown; empty without TLS. */
  public Optional<X509Certificate> certificate() {
    return tls == null ? Optional.empty() : Optional.of(tls.certificate());
  }

  /**
   * Reads the TLS files and the token file again now, as a poll that saw them change does.
   *
   * @return whether everything read was put in force
   */
  public boolean reload() {
    boolean ok = true;
    if (tls != null) {
      ok &= reloadTls();
    }
    if (token != null) {
      ok &= reloadToken();
    }
    return ok;
  }

  private boolean reloadTls() {
    try {
      tls.reload();
      count("tls", "ok");
      return true;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      count("tls", "failed");
      log.warn("TLS reload failed, the certificate in force stays: {}", e.getMessage());
      return false;
    }
  }

  private boolean reloadToken() {
    try {
      token.reload();
      count("admin_token", "ok");
      log.info("admin token reloaded from {}", token.file());
      return true;
    } catch (IOException | RuntimeException e) {
      count("admin_token", "failed");
      log.warn("admin token reload from {} failed, the token in force stays: {}", token.file(),
          e.getMessage());
      return false;
    }
  }

  private void count(String credential, String result) {
    Counter.builder(RELOADS_METRIC)
        .description("reloads of TLS and admin-token files after they changed on disk")
        .tag("credential", credential)
        .tag("result", result)
        .register(registry)
        .increment();
  }

  private ServerSecurity startWatching(Duration period, ScheduledExecutorService scheduler) {
    if (tls != null) {
      List<Path> files = new ArrayList<>(List.of(
          tls.files().certificateChain(), tls.files().privateKey()));
      tls.files().clientCa().ifPresent(files::add);
      watchers.add(FileWatcher.start(files, period, scheduler, this::reloadTls));
    }
    if (token != null) {
      watchers.add(FileWatcher.start(List.of(token.file()), period, scheduler, this::reloadToken));
    }
    return this;
  }

  /** Stops polling the files. */
  @Override
  public void close() {
    watchers.forEach(FileWatcher::close);
  }

  /** Optional parts: a token file, TLS files, a reload period with its scheduler. */
  public static final class Builder {
    private Path adminTokenFile;
    private TlsFiles tls;
    private Duration reloadPeriod;
    private ScheduledExecutorService scheduler;
    private SslProvider provider;
    private MeterRegistry registry = new SimpleMeterRegistry();

    private Builder() {}

    /** Control-plane calls need {@code Authorization: Bearer <the file's content>}. */
    public Builder adminTokenFile(Path file) {
      this.adminTokenFile = file;
      return this;
    }

    /** Both servers speak TLS (mutual TLS when {@code files} names client CAs). */
    public Builder tls(TlsFiles files) {
      this.tls = files;
      return this;
    }

    /** Polls the files every {@code period} on {@code scheduler}, which the caller owns. */
    public Builder reloadEvery(Duration period, ScheduledExecutorService scheduler) {
      this.reloadPeriod = Objects.requireNonNull(period, "period");
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** The TLS provider; by default BoringSSL where it loads, else the JDK (tests pin one). */
    public Builder sslProvider(SslProvider provider) {
      this.provider = provider;
      return this;
    }

    /** Where the denial and reload counters go. */
    public Builder meterRegistry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Reads the files and builds the contexts.
     *
     * @throws IllegalArgumentException naming the file when one cannot be read or fails a check
     */
    public ServerSecurity build() {
      ServerSecurity s = new ServerSecurity(this);
      return reloadPeriod == null || reloadPeriod.isZero()
          ? s
          : s.startWatching(reloadPeriod, scheduler);
    }
  }
}
