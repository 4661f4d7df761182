package io.sluice.gateway.grpc;

import java.time.Duration;
import java.util.Objects;

/**
 * Where the gRPC front end listens, how large a message it accepts, and how it keeps connections
 * in check.
 *
 * <p>grpc-java rejects inbound messages over 4 MiB by default; one batch of images is larger than
 * that, so Sluice raises the limit to 256 MiB, as Triton effectively does.
 *
 * @param host the address to bind, e.g. {@code 0.0.0.0}
 * @param port the port, 0 for an ephemeral one
 * @param maxMessageBytes the largest inbound message, in bytes
 * @param maxConnections the most connections open at once (10,000 by default)
 * @param idleTimeout a connection with no call open this long is sent GOAWAY (grpc-java's {@code
 *     maxConnectionIdle}; 60 s by default)
 * @param handshakeTimeout how long a new connection has to send its HTTP/2 preface and settings
 *     (grpc-java's {@code handshakeTimeout}; 10 s by default)
 * @param maxCallsPerConnection the most calls open at once on one connection (HTTP/2 {@code
 *     MAX_CONCURRENT_STREAMS}; 1,000 by default); clients queue calls beyond it
 */
public record GrpcConfig(
    String host,
    int port,
    int maxMessageBytes,
    int maxConnections,
    Duration idleTimeout,
    Duration handshakeTimeout,
    int maxCallsPerConnection) {

  /** Triton's gRPC port. */
  public static final int DEFAULT_PORT = 8001;

  /** 256 MiB: far above grpc-java's 4 MiB default. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_CALLS_PER_CONNECTION = 1000;

  public GrpcConfig {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host: \"" + host + "\" (expected: an address or name)");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
    }
    checkPositive("maxMessageBytes", maxMessageBytes);
    checkPositive("maxConnections", maxConnections);
    checkPositive("idleTimeout", idleTimeout);
    checkPositive("handshakeTimeout", handshakeTimeout);
    checkPositive("maxCallsPerConnection", maxCallsPerConnection);
  }

  /** {@code host:port} with {@code maxMessageBytes} and the other settings at their defaults. */
  public GrpcConfig(String host, int port, int maxMessageBytes) {
    this(host, port, maxMessageBytes, DEFAULT_MAX_CONNECTIONS, DEFAULT_IDLE_TIMEOUT,
        DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_MAX_CALLS_PER_CONNECTION);
  }

  /** All interfaces, port 8001, 256 MiB messages, the defaults above. */
  public static GrpcConfig ofDefaults() {
    return new GrpcConfig("0.0.0.0", DEFAULT_PORT, DEFAULT_MAX_MESSAGE_BYTES);
  }

  public GrpcConfig withPort(int newPort) {
    return new GrpcConfig(host, newPort, maxMessageBytes, maxConnections, idleTimeout,
        handshakeTimeout, maxCallsPerConnection);
  }

  public GrpcConfig withMaxMessageBytes(int newMaxMessageBytes) {
    return new GrpcConfig(host, port, newMaxMessageBytes, maxConnections, idleTimeout,
        handshakeTimeout, maxCallsPerConnection);
  }

  public GrpcConfig withMaxConnections(int newMaxConnections) {
    return new GrpcConfig(host, port, maxMessageBytes, newMaxConnections, idleTimeout,
        handshakeTimeout, maxCallsPerConnection);
  }

  /** The idle and handshake timeouts at once. */
  public GrpcConfig withTimeouts(Duration idle, Duration handshake) {
    return new GrpcConfig(host, port, maxMessageBytes, maxConnections, idle, handshake,
        maxCallsPerConnection);
  }

  public GrpcConfig withMaxCallsPerConnection(int newMaxCallsPerConnection) {
    return new GrpcConfig(host, port, maxMessageBytes, maxConnections, idleTimeout,
        handshakeTimeout, newMaxCallsPerConnection);
  }

  private static void checkPositive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
  }

  private static void checkPositive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
  }
}
