package io.sluice.gateway.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;

/**
 * Decides whether one control-plane call may go ahead: the repository API today, and any admin,
 * traffic or webhook endpoint added later (HTTP marks such a route, gRPC lists the method). The
 * front ends ask it before the call is acted on, and answer a denial themselves in their
 * protocol's shape; a denied call changes nothing.
 *
 * <p>With a token configured ({@code --admin-token-file}), a call needs {@code Authorization:
 * Bearer <token>} (gRPC metadata {@code authorization}), from any peer, loopback included. With
 * none, only a loopback peer may call: a fresh install is closed to the network until the
 * operator chooses a token. A peer that is not an IP socket address is not loopback.
 *
 * <p>Every denial is counted in {@code sluice_admin_denied_total{protocol,reason}}.
 */
public final class AdminGuard {
  static final String METRIC = "sluice_admin_denied";
  private static final String BEARER = "bearer ";

  /** What the guard decided; every value but {@link #ALLOWED} is a denial. */
  public enum Verdict {
    ALLOWED("", ""),
    /** No bearer token: HTTP 401, gRPC UNAUTHENTICATED. */
    MISSING_TOKEN(
        "missing_token",
        "this control-plane call needs the admin token (expected: the header 'Authorization:"
            + " Bearer <token>', the token being the content of --admin-token-file)"),
    /** A bearer token that is not the admin token: HTTP 401, gRPC UNAUTHENTICATED. */
    INVALID_TOKEN(
        "invalid_token",
        "the bearer token is not the admin token (expected: the content of --admin-token-file)"),
    /** No token configured and a peer off loopback: HTTP 403, gRPC PERMISSION_DENIED. */
    NOT_LOOPBACK(
        "not_loopback",
        "this control-plane call is only answered on loopback, as no --admin-token-file is"
            + " configured (expected: a call from the server's own host, or a server started"
            + " with --admin-token-file)");

    private final String reason;
    private final String message;

    Verdict(String reason, String message) {
      this.reason = reason;
      this.message = message;
    }

    /** The metric's {@code reason} label. */
    public String reason() {
      return reason;
    }

    /** What the client is told: which credential was wrong and what was expected. */
    public String message() {
      return message;
    }

    public boolean allowed() {
      return this == ALLOWED;
    }

    /** Whether presenting the right token would have helped (401 rather than 403). */
    public boolean wantsToken() {
      return this == MISSING_TOKEN || this == INVALID_TOKEN;
    }
  }

  private final AdminToken token;
  private final MeterRegistry registry;

  private AdminGuard(AdminToken token, MeterRegistry registry) {
    this.token = token;
    this.registry = registry;
  }

  /** No token: control-plane calls only from loopback peers. */
  public static AdminGuard loopbackOnly(MeterRegistry registry) {
    return new AdminGuard(null, registry);
  }

  static AdminGuard withToken(AdminToken token, MeterRegistry registry) {
    return new AdminGuard(token, registry);
  }

  /** Whether a token is configured (else: loopback only). */
  public boolean requiresToken() {
    return token != null;
  }

  /**
   * Decides one call and counts a denial.
   *
   * @param protocol the metric's {@code protocol} label: {@code http} or {@code grpc}
   * @param peer the caller's address
   * @param authorization the {@code Authorization} header's value, null when absent
   */
  public Verdict check(String protocol, SocketAddress peer, String authorization) {
    Verdict v = decide(peer, authorization);
    if (!v.allowed()) {
      Counter.builder(METRIC)
          .description("control-plane calls refused by the admin guard")
          .tag("protocol", protocol)
          .tag("reason", v.reason())
          .register(registry)
          .increment();
    }
    return v;
  }

  private Verdict decide(SocketAddress peer, String authorization) {
    if (token == null) {
      return isLoopback(peer) ? Verdict.ALLOWED : Verdict.NOT_LOOPBACK;
    }
    String presented = bearerToken(authorization);
    if (presented == null) {
      return Verdict.MISSING_TOKEN;
    }
    return token.matches(presented) ? Verdict.ALLOWED : Verdict.INVALID_TOKEN;
  }

  /** The token of {@code Bearer <token>} (scheme in any case), or null for anything else. */
  static String bearerToken(String authorization) {
    if (authorization == null
        || authorization.length() <= BEARER.length()
        || !authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
      return null;
    }
    String t = authorization.substring(BEARER.length()).strip();
    return t.isEmpty() ? null : t;
  }

  static boolean isLoopback(SocketAddress peer) {
    return peer instanceof InetSocketAddress a
        && a.getAddress() != null
        && a.getAddress().isLoopbackAddress();
  }
}
