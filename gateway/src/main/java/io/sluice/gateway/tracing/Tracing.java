package io.sluice.gateway.tracing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.sluice.gateway.core.InferenceListener;
import io.sluice.runtime.Ticker;
import java.time.Clock;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The process's tracing: off (nothing built, no listener, no thread) unless {@link
 * TracingConfig#enabled}; on, one {@link OpenTelemetrySdk} made here and never registered as the
 * global instance, whose tracer feeds the {@link SpanListener}. Spans go through the SDK's {@link
 * BatchSpanProcessor}: ending a span is an offer to its bounded queue (a full queue drops the
 * span), and its own daemon thread exports them in batches over OTLP, so an event loop never
 * waits on the receiver. The sampler follows the caller's {@code traceparent} flag and samples
 * traces that start here at the configured ratio. Spans handed to the exporter are counted in
 * {@code sluice_trace_spans_exported_total{outcome}}; the spans ended and not exported (dropped
 * by a full queue, or still queued) are {@code sluice_trace_spans_ended_total} less those.
 * Closing flushes what is queued, for at most five seconds.
 */
public final class Tracing implements AutoCloseable {
  private static final Tracing OFF = new Tracing(null, null);

  private final OpenTelemetrySdk sdk;
  private final InferenceListener listener;

  private Tracing(OpenTelemetrySdk sdk, InferenceListener listener) {
    this.sdk = sdk;
    this.listener = listener;
  }

  /** Tracing as {@code config} says, spans timed on {@code clock} and {@code ticker}. */
  public static Tracing open(
      TracingConfig config, MeterRegistry registry, Clock clock, Ticker ticker) {
    if (!config.enabled()) {
      return OFF;
    }
    SpanExporter exporter = new CountingExporter(exporter(config), registry);
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(Resource.getDefault().merge(Resource.create(
                Attributes.of(AttributeKey.stringKey("service.name"), config.serviceName()))))
            .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.samplingRatio())))
            .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
            .build();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(provider).build();
    return new Tracing(sdk, listener(sdk, registry, clock, ticker));
  }

  /** The listener writing spans through {@code openTelemetry}'s tracer (tests pass their own). */
  static InferenceListener listener(
      OpenTelemetry openTelemetry, MeterRegistry registry, Clock clock, Ticker ticker) {
    Counter ended = Counter.builder("sluice_trace_spans_ended")
        .description("Spans Sluice ended and offered to the export queue")
        .register(registry);
    return new SpanListener(openTelemetry.getTracer("io.sluice.gateway"), clock, ticker, ended);
  }

  private static SpanExporter exporter(TracingConfig config) {
    String base = config.endpoint().orElseThrow().toString().replaceAll("/+$", "");
    return switch (config.protocol()) {
      // The OTLP/HTTP path of traces, as OTEL_EXPORTER_OTLP_ENDPOINT defines it.
      case HTTP_PROTOBUF -> OtlpHttpSpanExporter.builder().setEndpoint(base + "/v1/traces").build();
      case GRPC -> OtlpGrpcSpanExporter.builder().setEndpoint(base).build();
    };
  }

  /** The listener writing spans; empty when tracing is off. */
  public Optional<InferenceListener> listener() {
    return Optional.ofNullable(listener);
  }

  /** Flushes the queued spans (at most five seconds) and stops the exporter. Idempotent. */
  @Override
  public void close() {
    if (sdk != null) {
      sdk.getSdkTracerProvider().shutdown().join(5, TimeUnit.SECONDS);
    }
  }

  /** Counts what the exporter was given by outcome, so a receiver that is down shows. */
  private static final class CountingExporter implements SpanExporter {
    private final SpanExporter delegate;
    private final Counter exported;
    private final Counter failed;

    CountingExporter(SpanExporter delegate, MeterRegistry registry) {
      this.delegate = delegate;
      this.exported = counter(registry, "ok");
      this.failed = counter(registry, "failed");
    }

    private static Counter counter(MeterRegistry registry, String outcome) {
      return Counter.builder("sluice_trace_spans_exported")
          .description("Spans handed to the OTLP exporter, by whether the receiver took them")
          .tag("outcome", outcome)
          .register(registry);
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      int n = spans.size();
      CompletableResultCode result = delegate.export(spans);
      result.whenComplete(() -> (result.isSuccess() ? exported : failed).increment(n));
      return result;
    }

    @Override
    public CompletableResultCode flush() {
      return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
      return delegate.shutdown();
    }
  }
}
