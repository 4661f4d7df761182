package io.sluice.gateway.core;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code sluice_request_errors_total{protocol, code}}: one counter per pair, made on first use;
 * {@code sluice_client_disconnects_total{protocol}}: connections the client dropped mid-request.
 */
final class MeteredErrorCounter implements ErrorCounter {
  private final MeterRegistry registry;
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final Map<String, Counter> disconnects = new ConcurrentHashMap<>();

  MeteredErrorCounter(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void recordError(String protocol, String code) {
    errors
        .computeIfAbsent(
            protocol + "/" + code,
            k ->
                Counter.builder("sluice_request_errors")
                    .description("Requests answered with an error, by protocol and status")
                    .tags("protocol", protocol, "code", code)
                    .register(registry))
        .increment();
  }

  @Override
  public void recordClientDisconnect(String protocol) {
    disconnects
        .computeIfAbsent(
            protocol,
            k ->
                Counter.builder("sluice_client_disconnects")
                    .description("Connections the client reset or closed in the middle of a"
                        + " request (peer I/O errors)")
                    .tags("protocol", protocol)
                    .register(registry))
        .increment();
  }
}
