package io.sluice.gateway.grpc;

import java.util.Objects;

/**
 * Where the gRPC front end listens and how large a message it accepts.
 *
 * <p>grpc-java rejects inbound messages over 4 MiB by default; one batch of images is larger than
 * that, so Sluice raises the limit to 256 MiB, as Triton effectively does.
 *
 * @param host the address to bind, e.g. {@code 0.0.0.0}
 * @param port the port, 0 for an ephemeral one
 * @param maxMessageBytes the largest inbound message, in bytes
 */
public record GrpcConfig(String host, int port, int maxMessageBytes) {

  /** Triton's gRPC port. */
  public static final int DEFAULT_PORT = 8001;

  /** 256 MiB: far above grpc-java's 4 MiB default. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

  public GrpcConfig {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host: \"" + host + "\" (expected: an address or name)");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
    }
    if (maxMessageBytes <= 0) {
      throw new IllegalArgumentException(
          "maxMessageBytes: " + maxMessageBytes + " (expected: > 0)");
    }
  }

  /** All interfaces, port 8001, 256 MiB messages. */
  public static GrpcConfig ofDefaults() {
    return new GrpcConfig("0.0.0.0", DEFAULT_PORT, DEFAULT_MAX_MESSAGE_BYTES);
  }

  public GrpcConfig withPort(int newPort) {
    return new GrpcConfig(host, newPort, maxMessageBytes);
  }

  public GrpcConfig withMaxMessageBytes(int newMaxMessageBytes) {
    return new GrpcConfig(host, port, newMaxMessageBytes);
  }
}
