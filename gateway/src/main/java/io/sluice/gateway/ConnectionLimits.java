package io.sluice.gateway;

/**
 * What keeps a slow or hostile client from holding the servers: connection caps, read timeouts
 * and the decompressed-size limit. Part of {@link NetworkConfig}; {@link SluiceServer} hands each
 * front end its share.
 *
 * @param maxDecompressedBytes the most bytes a compressed HTTP body may inflate to
 * @param maxConnections open connections per server (HTTP and gRPC each)
 * @param idleTimeoutSeconds HTTP keep-alive idle timeout; gRPC {@code maxConnectionIdle}
 * @param headerTimeoutSeconds HTTP request line and headers; gRPC HTTP/2 handshake
 * @param bodyTimeoutSeconds HTTP request body, counted from its headers
 * @param maxGrpcCallsPerConnection gRPC calls open at once on one connection
 */
public record ConnectionLimits(
    int maxDecompressedBytes,
    int maxConnections,
    int idleTimeoutSeconds,
    int headerTimeoutSeconds,
    int bodyTimeoutSeconds,
    int maxGrpcCallsPerConnection) {

  public ConnectionLimits {
    GatewayConfig.checkPositive("maxDecompressedBytes", maxDecompressedBytes);
    GatewayConfig.checkPositive("maxConnections", maxConnections);
    GatewayConfig.checkPositive("idleTimeoutSeconds", idleTimeoutSeconds);
    GatewayConfig.checkPositive("headerTimeoutSeconds", headerTimeoutSeconds);
    GatewayConfig.checkPositive("bodyTimeoutSeconds", bodyTimeoutSeconds);
    GatewayConfig.checkPositive("maxGrpcCallsPerConnection", maxGrpcCallsPerConnection);
  }
}
