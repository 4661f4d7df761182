package io.sluice.gateway;

import io.sluice.gateway.request.ContextHeaders;
import java.util.Objects;

/**
 * Where and how the three servers listen.
 *
 * @param host the address the HTTP, gRPC and metrics servers bind
 * @param httpPort HTTP/REST port (0 = ephemeral)
 * @param grpcPort gRPC port (0 = ephemeral)
 * @param metricsPort Prometheus port (0 = ephemeral)
 * @param eventLoopThreads Netty event loop threads shared by HTTP and gRPC
 * @param maxRequestBytes largest HTTP request body (after decompression)
 * @param maxGrpcMessageBytes largest inbound gRPC message
 * @param contextHeaders the HTTP headers / gRPC metadata keys copied into each request's
 *     context (always including the W3C trace context)
 * @param shutdownGraceSeconds on SIGTERM, how long admitted requests may take to finish while
 *     new ones are refused, before the process closes what is left
 * @param limits connection caps, timeouts and the decompressed-size limit
 */
public record NetworkConfig(
    String host,
    int httpPort,
    int grpcPort,
    int metricsPort,
    int eventLoopThreads,
    int maxRequestBytes,
    int maxGrpcMessageBytes,
    ContextHeaders contextHeaders,
    int shutdownGraceSeconds,
    ConnectionLimits limits) {

  public NetworkConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(contextHeaders, "contextHeaders");
    Objects.requireNonNull(limits, "limits");
    GatewayConfig.checkPort("httpPort", httpPort);
    GatewayConfig.checkPort("grpcPort", grpcPort);
    GatewayConfig.checkPort("metricsPort", metricsPort);
    GatewayConfig.checkPositive("eventLoopThreads", eventLoopThreads);
    GatewayConfig.checkPositive("maxRequestBytes", maxRequestBytes);
    GatewayConfig.checkPositive("maxGrpcMessageBytes", maxGrpcMessageBytes);
    if (shutdownGraceSeconds < 0) {
      throw new IllegalArgumentException(
          "shutdownGraceSeconds: " + shutdownGraceSeconds + " (expected: >= 0)");
    }
  }
}
