package io.sluice.gateway.tracing;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * Where spans go, validated once at start-up.
 *
 * @param endpoint the OTLP receiver's base URL ({@code http://collector:4318} for http/protobuf,
 *     {@code http://collector:4317} for grpc); empty: tracing off, no SDK built
 * @param protocol how spans are sent
 * @param samplingRatio the share of traces started here that are kept, 0..1; a caller's
 *     {@code traceparent} decides for its own trace (its sampled flag wins)
 * @param serviceName the {@code service.name} resource attribute of every span
 */
public record TracingConfig(
    Optional<URI> endpoint, Protocol protocol, double samplingRatio, String serviceName) {

  /** OTLP's two transports, spelt as {@code OTEL_EXPORTER_OTLP_PROTOCOL} spells them. */
  public enum Protocol {
    HTTP_PROTOBUF("http/protobuf"),
    GRPC("grpc");

    private final String spelling;

    Protocol(String spelling) {
      this.spelling = spelling;
    }

    /** The protocol named {@code name} ({@code http/protobuf} or {@code grpc}). */
    public static Protocol of(String name) {
      String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
      for (Protocol p : values()) {
        if (p.spelling.equals(n)) {
          return p;
        }
      }
      throw new IllegalArgumentException(
          "otel-protocol: '" + name + "' (expected: http/protobuf or grpc)");
    }

    @Override
    public String toString() {
      return spelling;
    }
  }

  public TracingConfig {
    endpoint = endpoint == null ? Optional.empty() : endpoint;
    if (protocol == null) {
      throw new IllegalArgumentException("otel-protocol: none (expected: http/protobuf or grpc)");
    }
    if (!(samplingRatio >= 0 && samplingRatio <= 1)) {
      throw new IllegalArgumentException(
          "otel-sampling-ratio: " + samplingRatio + " (expected: 0..1)");
    }
    if (serviceName == null || serviceName.isBlank()) {
      throw new IllegalArgumentException("otel-service-name: empty (expected: a name)");
    }
    endpoint.ifPresent(u -> {
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null) {
        throw new IllegalArgumentException(
            "otel-endpoint: '" + u + "' (expected: http(s)://host:port)");
      }
    });
  }

  /** Tracing off. */
  public static TracingConfig off() {
    return new TracingConfig(Optional.empty(), Protocol.HTTP_PROTOBUF, 1.0, "sluice");
  }

  public boolean enabled() {
    return endpoint.isPresent();
  }
}
