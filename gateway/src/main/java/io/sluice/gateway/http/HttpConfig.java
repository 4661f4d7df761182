package io.sluice.gateway.http;

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
 * </table>
 *
 * @param host the address to bind
 * @param port the port to bind, 0 for an ephemeral one
 * @param maxBodyBytes the largest request body accepted, after decompression
 */
public record HttpConfig(String host, int port, int maxBodyBytes) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8000;
  public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

  public HttpConfig {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host: '" + host + "' (expected: a host name or address)");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
    }
    if (maxBodyBytes <= 0) {
      throw new IllegalArgumentException("maxBodyBytes: " + maxBodyBytes + " (expected: > 0)");
    }
  }

  /** Host 0.0.0.0, port 8000, 64 MiB bodies. */
  public static HttpConfig ofDefaults() {
    return new HttpConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_BODY_BYTES);
  }

  public HttpConfig withHost(String newHost) {
    return new HttpConfig(newHost, port, maxBodyBytes);
  }

  public HttpConfig withPort(int newPort) {
    return new HttpConfig(host, newPort, maxBodyBytes);
  }

  public HttpConfig withMaxBodyBytes(int newMaxBodyBytes) {
    return new HttpConfig(host, port, newMaxBodyBytes);
  }
}
