package io.sluice.gateway.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The HTTP front end's connection-hygiene counters, registered once per server so handlers only
 * increment: {@code sluice_connection_timeouts_total{protocol="http",kind}} (kind {@code idle},
 * {@code header}, {@code body}), {@code sluice_request_limit_exceeded_total{protocol="http",limit}}
 * (limit {@code decompressed_bytes}, {@code body_bytes}) and {@code
 * sluice_request_inflated_bytes_total{protocol="http"}}, the bytes inflated from compressed bodies.
 */
final class HttpMeters {
  final Counter idleTimeouts;
  final Counter headerTimeouts;
  final Counter bodyTimeouts;
  final Counter decompressedTooLarge;
  final Counter bodyTooLarge;
  final Counter inflatedBytes;

  HttpMeters(MeterRegistry registry) {
    idleTimeouts = timeouts(registry, "idle");
    headerTimeouts = timeouts(registry, "header");
    bodyTimeouts = timeouts(registry, "body");
    decompressedTooLarge = limit(registry, "decompressed_bytes");
    bodyTooLarge = limit(registry, "body_bytes");
    inflatedBytes =
        Counter.builder("sluice_request_inflated_bytes")
            .description("Bytes inflated from compressed request bodies")
            .baseUnit("bytes")
            .tag("protocol", "http")
            .register(registry);
  }

  private static Counter timeouts(MeterRegistry registry, String kind) {
    return Counter.builder("sluice_connection_timeouts")
        .description("Connections closed by a timeout: idle, or a request's header or body late")
        .tags("protocol", "http", "kind", kind)
        .register(registry);
  }

  private static Counter limit(MeterRegistry registry, String limit) {
    return Counter.builder("sluice_request_limit_exceeded")
        .description("Requests refused for going over a size limit, by limit")
        .tags("protocol", "http", "limit", limit)
        .register(registry);
  }
}
