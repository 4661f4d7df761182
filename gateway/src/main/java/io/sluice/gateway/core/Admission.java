package io.sluice.gateway.core;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.runtime.Status;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Load shedding at the front door: an inference request is refused the moment its front end
 * knows it is one (HTTP: its head is decoded, the body not yet read; gRPC: the call starts, the
 * message not yet handed to the service) while the server already holds {@code maxInFlight}
 * requests admitted and not yet answered.
 *
 * <p>The count is the {@link DrainGate}'s: every request the pipeline admitted, wherever it now
 * is (decoded and waiting for a version, queued in a batcher, running, its answer being shaped).
 * Reading it costs one volatile read, so a refusal is cheap enough to keep up with arrivals far
 * past capacity, and it never needs a matching release: nothing here can leak a slot. The
 * batchers' queue-time shedding ({@code --max-queue-time-ms}) only sees its own queue; on a small
 * machine the backlog of an overload forms before it, in the event loop and the sockets, where
 * a count of everything admitted still sees it.
 *
 * <p>Only requests not yet admitted are refused: the check runs before the pipeline's gate, and a
 * request that passed it is never failed for the limit. Requests decoding between the two are
 * not counted yet; the event loops bound how many there are. A refusal is UNAVAILABLE with a
 * retry hint of one second (HTTP 503 with {@code Retry-After: 1}), counted in {@code
 * sluice_requests_dropped_total{reason="inflight_limit"}} (the family of the batchers' {@code
 * shed} and {@code queue_full}; the model and version are not known yet, so those tags are
 * empty) and, by the front end, in {@code sluice_request_errors_total}.
 *
 * <p>What a refusal costs the server itself is timed in {@code
 * sluice_admission_reject_seconds{protocol}}: from the moment the front end saw the request's head
 * to the refusal written (HTTP, after the refused body's last byte, which a client sending
 * slowly delays) or handed to the transport (gRPC), on the registry's clock. A
 * client sees more than that under overload (its bytes wait in the sockets and behind the other
 * work on the event loop and the CPU before the head is read); the histogram keeps the two apart,
 * and its 1 ms bucket reads the "a reject costs at most 1 ms" target directly.
 */
public final class Admission implements FrontDoor {
  /** The drop reason in {@code sluice_requests_dropped_total}. */
  public static final String REASON = "inflight_limit";
  static final long RETRY_AFTER_MILLIS = 1000;

  private final DrainGate gate;
  private final long maxInFlight;
  private final Counter refused;
  private final Status refusal;
  private final Clock clock;
  /** The refusal cost per front end, registered up front: no lookup by tags per refusal. */
  private final Map<String, Timer> rejectCost;

  /**
   * @param gate counts the requests admitted and not yet answered
   * @param maxInFlight refuse while the gate holds this many; 0 admits everything
   */
  public Admission(DrainGate gate, int maxInFlight, MeterRegistry registry) {
    if (maxInFlight < 0) {
      throw new IllegalArgumentException(
          "maxInFlight: " + maxInFlight + " (expected: >= 0, 0 for no limit)");
    }
    this.gate = gate;
    this.maxInFlight = maxInFlight == 0 ? Long.MAX_VALUE : maxInFlight;
    this.refused = Counter.builder("sluice_requests_dropped")
        .description("Requests dropped before reaching a backend")
        .tags("model", "", "version", "", "reason", REASON)
        .register(registry);
    this.clock = registry.config().clock();
    this.rejectCost = Map.of("http", rejectTimer(registry, "http"),
        "grpc", rejectTimer(registry, "grpc"));
    // One immutable answer for every refusal: nothing allocated per refused request.
    this.refusal = Status.overloaded(
        "overloaded: the server already holds " + maxInFlight
            + " requests admitted and not yet answered (--max-inflight-requests)"
            + " (expected: retry later, or on another replica)",
        RETRY_AFTER_MILLIS);
  }

  /** Admits everything: for servers and tests without a limit. */
  public static Admission unlimited(MeterRegistry registry) {
    return new Admission(new DrainGate(), 0, registry);
  }

  @Override
  public Status checkAdmission() {
    if (gate.inFlight() < maxInFlight) {
      return null;
    }
    refused.increment();
    return refusal;
  }

  @Override
  public long refusalClock() {
    return clock.monotonicTime();
  }

  @Override
  public void refusalAnswered(String protocol, long seenAt) {
    Timer t = rejectCost.get(protocol);
    if (t == null) {
      throw new IllegalArgumentException("protocol: " + protocol + " (expected: http or grpc)");
    }
    t.record(clock.monotonicTime() - seenAt, TimeUnit.NANOSECONDS);
  }

  private static Timer rejectTimer(MeterRegistry registry, String protocol) {
    return Timer.builder("sluice_admission_reject")
        .description("A front-door refusal's own cost on the server: from the request's head"
            + " seen to the refusal written (HTTP) or handed to the transport (gRPC)")
        .tags("protocol", protocol)
        // Fine buckets from 10 us to 1 s for histogram_quantile, and one edge at the 1 ms target.
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(10_000))
        .maximumExpectedValue(Duration.ofSeconds(1))
        .serviceLevelObjectives(Duration.ofMillis(1))
        .register(registry);
  }

  /** Requests refused so far. */
  public long refused() {
    return (long) refused.count();
  }
}
