/**
 * OpenTelemetry spans for inference requests, exported over OTLP when {@code --otel-endpoint} is
 * set and absent otherwise. Start reading at {@link io.sluice.gateway.tracing.Tracing}, which builds
 * the one {@code OpenTelemetrySdk} of the process (never the global one) and hands its tracer to
 * {@code SpanListener}: an inference listener that writes each finished request as a span tree
 * after the fact, from the timestamps the scheduler already took, so nothing on the instance
 * threads changes and an unsampled request costs one sampling decision.
 */
package io.sluice.gateway.tracing;
