package io.sluice.gateway.tracing;

import io.micrometer.core.instrument.Counter;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.sluice.gateway.core.InferenceEvent;
import io.sluice.gateway.core.InferenceListener;
import io.sluice.gateway.request.ContextHeaders;
import io.sluice.gateway.request.RequestContext;
import io.sluice.runtime.InferenceResponse;
import io.sluice.runtime.Ticker;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Writes each answered request as a span tree once it has finished, on its event loop:
 *
 * <pre>
 * sluice.infer (SERVER; parent: the caller's traceparent)
 *   sluice.queue      enqueue .. the batch leaves the queue
 *   sluice.batch      the execution: inputs assembled, engine run, outputs split (sluice.batch.*)
 *     sluice.compute  the engine's run alone
 * </pre>
 *
 * <p>The spans are built after the fact with explicit timestamps: the scheduler already times
 * every phase on its ticker (Triton's statistics need them), and the execution's start comes with
 * the response, so the instance threads do nothing for tracing. Ticker times become epoch times
 * by one offset read per request. A batch is one execution shared by several requests; each
 * request's {@code sluice.batch} span carries the execution's id, items and request count, so the
 * spans of one execution group by {@code sluice.batch.id} (per model version). An unsampled request
 * (the caller's flag, or the sampler's ratio for a trace started here) costs one sampling decision
 * and a non-recording span. Only the primary answer is traced; a shadow copy is not.
 */
final class SpanListener implements InferenceListener {
  static final AttributeKey<String> MODEL = AttributeKey.stringKey("sluice.model");
  static final AttributeKey<String> VERSION = AttributeKey.stringKey("sluice.model.version");
  static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("sluice.request.id");
  static final AttributeKey<String> ROUTE = AttributeKey.stringKey("sluice.route");
  static final AttributeKey<String> STATUS = AttributeKey.stringKey("sluice.status.code");
  static final AttributeKey<Long> BATCH_ID = AttributeKey.longKey("sluice.batch.id");
  static final AttributeKey<Long> BATCH_SIZE = AttributeKey.longKey("sluice.batch.size");
  static final AttributeKey<Long> BATCH_REQUESTS = AttributeKey.longKey("sluice.batch.requests");

  /** Reads the W3C headers the decoders kept; every other header was never copied. */
  private static final TextMapGetter<RequestContext> HEADERS =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(RequestContext carrier) {
          return List.of(ContextHeaders.TRACEPARENT, ContextHeaders.TRACESTATE);
        }

        @Override
        public String get(RequestContext carrier, String key) {
          return carrier == null ? null : carrier.header(key);
        }
      };

  private final Tracer tracer;
  private final Clock clock;
  private final Ticker ticker;
  private final Counter ended;

  /**
   * @param tracer from the process's OpenTelemetry instance
   * @param clock wall time, for the spans' epoch timestamps
   * @param ticker the scheduler's and the pipeline's ticker, whose times the event carries
   * @param ended counts the spans ended (so that those the export queue dropped can be told)
   */
  SpanListener(Tracer tracer, Clock clock, Ticker ticker, Counter ended) {
    this.ended = ended;
    this.tracer = tracer;
    this.clock = clock;
    this.ticker = ticker;
  }

  @Override
  public void onInference(InferenceEvent event) {
    if (event.role() != InferenceEvent.Role.PRIMARY) {
      return;
    }
    // One offset turns ticker times into epoch times; the request spans from its admission to
    // start + total (other listeners may have run since: "now" is not its end).
    long offset = epochNanos(clock.instant()) - ticker.nanoTime();
    long end = event.startNanos() != 0
        ? event.startNanos() + event.totalNanos() + offset
        : offset + ticker.nanoTime();
    Context parent =
        W3CTraceContextPropagator.getInstance().extract(Context.root(), event.context(), HEADERS);
    Span request =
        tracer.spanBuilder("sluice.infer")
            .setParent(parent)
            .setSpanKind(SpanKind.SERVER)
            .setStartTimestamp(end - event.totalNanos(), TimeUnit.NANOSECONDS)
            .startSpan();
    if (!request.isRecording()) {
      return;
    }
    request.setAttribute(MODEL, event.version().name());
    request.setAttribute(VERSION, event.version().versionString());
    request.setAttribute(REQUEST_ID, event.context().id());
    request.setAttribute(ROUTE, event.route().label());
    InferenceResponse.Execution x = event.execution();
    int spans = 1;
    if (x.id() != 0) {
      spans = 4;
      Context inside = parent.with(request);
      long left = x.startNanos() + offset;
      child("sluice.queue", inside, left - event.queueNanos()).end(left, TimeUnit.NANOSECONDS);
      long computeStart = left + event.computeInputNanos();
      long computeEnd = computeStart + event.computeInferNanos();
      long batchEnd = computeEnd + event.computeOutputNanos();
      Span batch = child("sluice.batch", inside, left);
      batch.setAttribute(BATCH_ID, x.id());
      batch.setAttribute(BATCH_SIZE, x.items());
      batch.setAttribute(BATCH_REQUESTS, x.requests());
      child("sluice.compute", inside.with(batch), computeStart)
          .end(computeEnd, TimeUnit.NANOSECONDS);
      batch.end(batchEnd, TimeUnit.NANOSECONDS);
    }
    if (!event.succeeded()) {
      request.setAttribute(STATUS, event.status().code().name());
      request.setStatus(StatusCode.ERROR, event.status().description());
    }
    request.end(end, TimeUnit.NANOSECONDS);
    ended.increment(spans);
  }

  private Span child(String name, Context parent, long start) {
    return tracer.spanBuilder(name)
        .setParent(parent)
        .setSpanKind(SpanKind.INTERNAL)
        .setStartTimestamp(start, TimeUnit.NANOSECONDS)
        .startSpan();
  }

  private static long epochNanos(Instant t) {
    return TimeUnit.SECONDS.toNanos(t.getEpochSecond()) + t.getNano();
  }

  @Override
  public String toString() {
    return "SpanListener";
  }
}
