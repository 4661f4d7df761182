package io.sluice.gateway.http;

import java.time.Duration;
import java.util.Objects;

/**
 * The HTTP front end's settings, validated once when built.
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>setting</th><th>default</th><th>why</th></tr>
 *   <tr><td>host</td><td>0.0.0.0</td><td>every interface, as Triton</td></tr>
 *   <tr><td>port</td><td>8000</td><td>Triton's HTTP port; 0 binds an ephemeral port</td></tr>
 *   <tr><td>maxBodyBytes</td><td>64 MiB</td>
 *       <td>a request body above it, once decompressed, gets 413</td></tr>
 *   <tr><td>maxDecompressedBytes</td><td>16 MiB</td>
 *       <td>a compressed body stops inflating at it (413); the lower of it and maxBodyBytes
 *       applies</td></tr>
 *   <tr><td>maxConnections</td><td>10,000</td><td>one more is reset at accept</td></tr>
 *   <tr><td>idleTimeout</td><td>60 s</td>
 *       <td>a keep-alive connection with nothing in flight is closed (nginx's 75 s, Triton's
 *       keep-alive order of magnitude)</td></tr>
 *   <tr><td>headerTimeout</td><td>10 s</td>
 *       <td>request line and headers must arrive within it from their first byte (408)</td></tr>
 *   <tr><td>bodyTimeout</td><td>20 s</td>
 *       <td>the body must arrive within it once the headers have (408)</td></tr>
 * </table>
 *
 * @param host the address to bind
 * @param port the port to bind, 0 for an ephemeral one
 * @param maxBodyBytes the largest request body accepted, after decompression
 * @param maxDecompressedBytes the most bytes a compressed body may inflate to
 * @param maxConnections the most connections open at once
 * @param idleTimeout how long a connection with no request in flight may receive nothing
 * @param headerTimeout how long a request's line and headers may take to arrive
 * @param bodyTimeout how long a request's body may take to arrive after its headers
 */
public record HttpConfig(
    String host,
    int port,
    int maxBodyBytes,
    int maxDecompressedBytes,
    int maxConnections,
    Duration idleTimeout,
    Duration headerTimeout,
    Duration bodyTimeout) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8000;
  public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
  public static final int DEFAULT_MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024;
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(20);

  public HttpConfig {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host: '" + host + "' (expected: a host name or address)");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
    }
    checkPositive("maxBodyBytes", maxBodyBytes);
    checkPositive("maxDecompressedBytes", maxDecompressedBytes);
    checkPositive("maxConnections", maxConnections);
    checkPositive("idleTimeout", idleTimeout);
    checkPositive("headerTimeout", headerTimeout);
    checkPositive("bodyTimeout", bodyTimeout);
  }

  /** {@code host:port} with {@code maxBodyBytes} and every other setting at its default. */
  public HttpConfig(String host, int port, int maxBodyBytes) {
    this(host, port, maxBodyBytes, DEFAULT_MAX_DECOMPRESSED_BYTES, DEFAULT_MAX_CONNECTIONS,
        DEFAULT_IDLE_TIMEOUT, DEFAULT_HEADER_TIMEOUT, DEFAULT_BODY_TIMEOUT);
  }

  /** Host 0.0.0.0, port 8000, and the defaults above. */
  public static HttpConfig ofDefaults() {
    return new HttpConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_BODY_BYTES);
  }

  /** The limit a compressed body inflates to: the lower of the two size limits. */
  int inflateLimit() {
    return Math.min(maxBodyBytes, maxDecompressedBytes);
  }

  public HttpConfig withHost(String newHost) {
    return new HttpConfig(newHost, port, maxBodyBytes, maxDecompressedBytes, maxConnections,
        idleTimeout, headerTimeout, bodyTimeout);
  }

  public HttpConfig withPort(int newPort) {
    return new HttpConfig(host, newPort, maxBodyBytes, maxDecompressedBytes, maxConnections,
        idleTimeout, headerTimeout, bodyTimeout);
  }

  public HttpConfig withMaxBodyBytes(int newMaxBodyBytes) {
    return new HttpConfig(host, port, newMaxBodyBytes, maxDecompressedBytes, maxConnections,
        idleTimeout, headerTimeout, bodyTimeout);
  }

  public HttpConfig withMaxDecompressedBytes(int newMaxDecompressedBytes) {
    return new HttpConfig(host, port, maxBodyBytes, newMaxDecompressedBytes, maxConnections,
        idleTimeout, headerTimeout, bodyTimeout);
  }

  public HttpConfig withMaxConnections(int newMaxConnections) {
    return new HttpConfig(host, port, maxBodyBytes, maxDecompressedBytes, newMaxConnections,
        idleTimeout, headerTimeout, bodyTimeout);
  }

  /** The three timeouts at once: idle, request headers, request body. */
  public HttpConfig withTimeouts(Duration idle, Duration header, Duration body) {
    return new HttpConfig(host, port, maxBodyBytes, maxDecompressedBytes, maxConnections,
        idle, header, body);
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
