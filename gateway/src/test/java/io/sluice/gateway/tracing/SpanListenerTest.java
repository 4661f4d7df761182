package io.sluice.gateway.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.sluice.gateway.core.InferenceEvent;
import io.sluice.gateway.core.InferenceListener;
import io.sluice.gateway.model.LoadedVersion;
import io.sluice.gateway.model.Selection;
import io.sluice.gateway.model.TestVersions;
import io.sluice.gateway.request.RequestContext;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.runtime.InferenceResponse;
import io.sluice.runtime.Status;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SpanListenerTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CALLER = "00f067aa0ba902b7";
  private static final long EPOCH_NANOS = 1_800_000_000_000_000_000L;
  /** The ticker reads 10 s when the event is told; the wall clock then reads EPOCH_NANOS. */
  private static final long TICK = 10_000_000_000L;

  private final InMemorySpanExporter exported = InMemorySpanExporter.create();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final LoadedVersion version =
      TestVersions.of("m", 3, ModelConfig.newBuilder().setName("m").build());

  @AfterEach
  void close() {
    exported.reset();
  }

  private InferenceListener listener(Sampler sampler) {
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .setSampler(sampler)
            .addSpanProcessor(SimpleSpanProcessor.create(exported))
            .build())
        .build();
    Clock clock = Clock.fixed(
        Instant.ofEpochSecond(0, EPOCH_NANOS), ZoneOffset.UTC);
    return Tracing.listener(sdk, meters, clock, () -> TICK);
  }

  /**
   * Admitted at TICK - 100 µs, finished at TICK after 100 µs in all: queued 30 µs until the batch left at TICK - 60 µs, then
   * 5 µs of input copy, 40 µs in the engine, 5 µs of output split.
   */
  private InferenceEvent event(Map<String, String> headers, Status status) {
    RequestContext context = new RequestContext("req-7", headers, Map.of(), Long.MAX_VALUE,
        null, null);
    InferenceResponse.Execution execution =
        new InferenceResponse.Execution(42, 6, 3, TICK - 60_000);
    return InferenceEvent.builder(version, InferenceEvent.Role.PRIMARY, context).status(status)
        .totalNanos(100_000).stages(30_000, 5_000, 40_000, 5_000).route(Selection.Route.CANARY)
        .execution(execution).startNanos(TICK - 100_000).build();
  }

  private Map<String, SpanData> byName() {
    return exported.getFinishedSpanItems().stream()
        .collect(Collectors.toMap(SpanData::getName, Function.identity()));
  }

  @Test
  void aRequestWithATraceparentBecomesAServerSpanUnderTheCallersSpan() {
    listener(Sampler.alwaysOn()).onInference(
        event(Map.of("traceparent", "00-" + TRACE + "-" + CALLER + "-01"), null));

    SpanData infer = byName().get("sluice.infer");
    assertThat(infer.getTraceId()).isEqualTo(TRACE);
    assertThat(infer.getParentSpanId()).isEqualTo(CALLER);
    assertThat(infer.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(infer.getStartEpochNanos()).isEqualTo(EPOCH_NANOS - 100_000);
    assertThat(infer.getEndEpochNanos()).isEqualTo(EPOCH_NANOS);
    assertThat(infer.getAttributes().get(SpanListener.MODEL)).isEqualTo("m");
    assertThat(infer.getAttributes().get(SpanListener.VERSION)).isEqualTo("3");
    assertThat(infer.getAttributes().get(SpanListener.REQUEST_ID)).isEqualTo("req-7");
    assertThat(infer.getAttributes().get(SpanListener.ROUTE)).isEqualTo("canary");
    assertThat(infer.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
  }

  @Test
  void queueBatchAndComputeArePlacedWhereTheSchedulerTimedThem() {
    listener(Sampler.alwaysOn()).onInference(event(Map.of(), null));

    Map<String, SpanData> spans = byName();
    assertThat(spans).containsOnlyKeys("sluice.infer", "sluice.queue", "sluice.batch",
        "sluice.compute");
    long left = EPOCH_NANOS - 60_000;
    SpanData queue = spans.get("sluice.queue");
    assertThat(queue.getStartEpochNanos()).isEqualTo(left - 30_000);
    assertThat(queue.getEndEpochNanos()).isEqualTo(left);
    SpanData batch = spans.get("sluice.batch");
    assertThat(batch.getStartEpochNanos()).isEqualTo(left);
    assertThat(batch.getEndEpochNanos()).isEqualTo(left + 50_000);
    assertThat(batch.getAttributes().get(SpanListener.BATCH_ID)).isEqualTo(42L);
    assertThat(batch.getAttributes().get(SpanListener.BATCH_SIZE)).isEqualTo(6L);
    assertThat(batch.getAttributes().get(SpanListener.BATCH_REQUESTS)).isEqualTo(3L);
    SpanData compute = spans.get("sluice.compute");
    assertThat(compute.getStartEpochNanos()).isEqualTo(left + 5_000);
    assertThat(compute.getEndEpochNanos()).isEqualTo(left + 45_000);

    String infer = spans.get("sluice.infer").getSpanId();
    assertThat(queue.getParentSpanId()).isEqualTo(infer);
    assertThat(batch.getParentSpanId()).isEqualTo(infer);
    assertThat(compute.getParentSpanId()).isEqualTo(batch.getSpanId());
    assertThat(spans.values()).extracting(SpanData::getTraceId).containsOnly(
        spans.get("sluice.infer").getTraceId());
    assertThat(meters.counter("sluice_trace_spans_ended").count()).isEqualTo(4);
  }

  @Test
  void aFailedRequestsSpanSaysWhy() {
    listener(Sampler.alwaysOn()).onInference(
        event(Map.of(), Status.invalidArgument("input 'x': shape [3] (expected: [4])")));

    SpanData infer = byName().get("sluice.infer");
    assertThat(infer.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(infer.getStatus().getDescription()).contains("expected: [4]");
    assertThat(infer.getAttributes().get(SpanListener.STATUS)).isEqualTo("INVALID_ARGUMENT");
  }

  @Test
  void aCallerWhoDidNotSampleGetsNoSpansEvenAtRatioOne() {
    listener(Sampler.parentBased(Sampler.traceIdRatioBased(1.0))).onInference(
        event(Map.of("traceparent", "00-" + TRACE + "-" + CALLER + "-00"), null));

    assertThat(exported.getFinishedSpanItems()).isEmpty();
    assertThat(meters.counter("sluice_trace_spans_ended").count()).isZero();
  }

  @Test
  void aRatioOfZeroSamplesNoTraceStartedHere() {
    listener(Sampler.parentBased(Sampler.traceIdRatioBased(0.0))).onInference(
        event(Map.of(), null));

    assertThat(exported.getFinishedSpanItems()).isEmpty();
  }

  @Test
  void anInvalidTraceparentStartsANewTrace() {
    listener(Sampler.alwaysOn()).onInference(
        event(Map.of("traceparent", "00-" + TRACE.toUpperCase() + "-" + CALLER + "-01"), null));

    SpanData infer = byName().get("sluice.infer");
    assertThat(infer.getTraceId()).isNotEqualTo(TRACE);
    assertThat(infer.getParentSpanContext().isValid()).isFalse();
  }

  @Test
  void aShadowCopyIsNotTraced() {
    InferenceEvent primary = event(Map.of(), null);
    listener(Sampler.alwaysOn()).onInference(InferenceEvent.builder(version,
        InferenceEvent.Role.SHADOW, primary.context()).totalNanos(1)
        .route(Selection.Route.CANARY).build());

    assertThat(exported.getFinishedSpanItems()).isEmpty();
  }
}
