package io.sluice.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler end to end on its own threads, with a fake ticker and a recording backend. A
 * test fills the queue deterministically by holding the only instance on a blocker request, and
 * observes "decided to wait" through {@link DynamicBatchScheduler#waits()}; no test reads the
 * wall clock.
 */
class DynamicBatchSchedulerTest {
  private static final Duration LONG = Duration.ofSeconds(10);

  private final FakeTicker ticker = new FakeTicker();
  private final RecordingListener listener = new RecordingListener();
  private final Map<DynamicBatchScheduler, BatcherConfig> started = new java.util.LinkedHashMap<>();

  @AfterEach
  void closeAndCheckNothingIsLeftOver() {
    for (DynamicBatchScheduler s : started.keySet()) {
      s.close();
      assertThat(s.pendingCount()).isZero();
      assertThat(s.bufferPool().leased()).as("leased batch buffers").isZero();
    }
  }

  // ---------------------------------------------------------------- helpers

  private DynamicBatchScheduler start(BatcherConfig config, Backend... backends) {
    DynamicBatchScheduler s = (DynamicBatchScheduler)
        Schedulers.create("test", config, List.of(backends), ticker, listener);
    started.put(s, config);
    return s;
  }

  static BatcherConfig batching(int max, List<Integer> preferred, Duration delay) {
    return BatcherConfig.builder()
        .maxBatchSize(max)
        .dynamicBatching(true)
        .preferredBatchSizes(preferred)
        .maxQueueDelayMicros(micros(delay))
        .build();
  }

  static BatcherConfig unbatchedWith(QueuePolicy policy, int levels, int defaultLevel) {
    return BatcherConfig.builder()
        .priorityLevels(levels)
        .defaultPriorityLevel(defaultLevel)
        .defaultQueuePolicy(policy)
        .build();
  }

  static long micros(Duration d) {
    return TimeUnit.NANOSECONDS.toMicros(d.toNanos());
  }

  /** FP32 [rows, 2] holding first, first + 1, ... */
  static Tensor x(int rows, float first) {
    float[] v = new float[rows * 2];
    for (int i = 0; i < v.length; i++) {
      v[i] = first + i;
    }
    return Tensor.ofFloats("x", new long[] {rows, 2}, v);
  }

  static InferenceRequest req(Tensor... inputs) {
    return InferenceRequest.of(List.of(inputs));
  }

  static InferenceRequest withPriority(int priority, Tensor input) {
    return new InferenceRequest(List.of(input), Set.of(), priority, 0, Long.MAX_VALUE, null);
  }

  static float[] floats(Tensor t) {
    ByteBuffer b = t.data();
    float[] out = new float[b.remaining() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }

  static long[] longs(Tensor t) {
    ByteBuffer b = t.data();
    long[] out = new long[b.remaining() / 8];
    b.asLongBuffer().get(out);
    return out;
  }

  /**
   * Occupies the instance of {@code backend} with a blocker request until the gate opens. The
   * blocker is a full batch, so it is sent at once whatever the queue delay.
   */
  private FakeBackend.Gate block(DynamicBatchScheduler s, FakeBackend backend)
      throws InterruptedException {
    FakeBackend.Gate gate = backend.holdNextRun();
    s.enqueue(req(x(Math.max(1, started.get(s).maxBatchSize()), -100)));
    gate.awaitEntered();
    return gate;
  }

  /** Returns once an instance has decided (again) to wait rather than send. */
  private static void awaitDecidedToWait(DynamicBatchScheduler s, long waitsBefore) {
    await().atMost(Duration.ofSeconds(10)).until(() -> s.waits() > waitsBefore);
  }

  static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  static Status failure(CompletableFuture<?> f) throws InterruptedException {
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(StatusException.class);
      return ((StatusException) e.getCause()).status();
    } catch (TimeoutException e) {
      throw new AssertionError("future not completed", e);
    }
    throw new AssertionError("expected a failure");
  }

  /** Batch sizes (dim 0 of x) the backend saw, blocker included. */
  private static List<Long> batchRows(FakeBackend b) {
    List<Long> rows = new ArrayList<>();
    for (FakeBackend.Batch batch : b.batches) {
      rows.add(batch.inputs().get(0).dim(0));
    }
    return rows;
  }

  // ---------------------------------------------------------------- forming batches

  @Test
  void aPreferredSizeIsSentAtOnceWithoutWaitingForTheDelay() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    DynamicBatchScheduler s = start(batching(4, List.of(2), LONG), backend);
    FakeBackend.Gate gate = block(s, backend);
    var a = s.enqueue(req(x(1, 0)));
    var b = s.enqueue(req(x(1, 10)));
    var c = s.enqueue(req(x(1, 20)));
    long waits = s.waits();
    gate.open();

    assertThat(get(a).batchSize()).isEqualTo(2);
    assertThat(get(b).batchSize()).isEqualTo(2);
    awaitDecidedToWait(s, waits);
    assertThat(c).isNotDone();
    assertThat(batchRows(backend)).containsExactly(4L, 2L);

    ticker.advance(LONG);
    s.wakeUp();
    assertThat(get(c).batchSize()).isEqualTo(1);
  }

  @Test
  void theQueueDelayIsMeasuredFromTheOldestRequestInTheBatch() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    DynamicBatchScheduler s = start(batching(8, List.of(), Duration.ofMillis(100)), backend);
    FakeBackend.Gate gate = block(s, backend);
    var a = s.enqueue(req(x(1, 0)));
    ticker.advance(Duration.ofMillis(60));
    var b = s.enqueue(req(x(1, 10)));
    long waits = s.waits();
    gate.open();
    awaitDecidedToWait(s, waits);

    ticker.advance(Duration.ofMillis(39)); // a has waited 99 ms
    waits = s.waits();
    s.wakeUp();
    awaitDecidedToWait(s, waits);
    assertThat(a).isNotDone();
    assertThat(s.pendingCount()).isEqualTo(2);

    ticker.advance(Duration.ofMillis(1)); // a has waited 100 ms, b only 40
    s.wakeUp();
    InferenceResponse ra = get(a);
    InferenceResponse rb = get(b);
    assertThat(ra.batchSize()).isEqualTo(2);
    assertThat(ra.queueNanos()).isEqualTo(Duration.ofMillis(100).toNanos());
    assertThat(rb.queueNanos()).isEqualTo(Duration.ofMillis(40).toNanos());
    assertThat(batchRows(backend)).containsExactly(8L, 2L);
  }

  @Test
  void aZeroDelayIsWorkConserving() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    DynamicBatchScheduler s = start(batching(8, List.of(), Duration.ZERO), backend);
    FakeBackend.Gate gate = block(s, backend);
    var a = s.enqueue(req(x(1, 0)));
    var b = s.enqueue(req(x(2, 0)));
    gate.open();
    assertThat(get(a).batchSize()).isEqualTo(3);
    assertThat(get(b).batchSize()).isEqualTo(3);
    assertThat(get(s.enqueue(req(x(1, 0)))).batchSize()).isEqualTo(1);
  }

  @Test
  void aBatchNeverExceedsMaxBatchSize() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    DynamicBatchScheduler s = start(batching(4, List.of(), Duration.ZERO), backend);
    FakeBackend.Gate gate = block(s, backend);
    List<CompletableFuture<InferenceResponse>> futures = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      futures.add(s.enqueue(req(x(1, i))));
    }
    gate.open();
    for (var f : futures) {
      get(f);
    }
    assertThat(batchRows(backend)).containsExactly(4L, 4L, 2L);
  }

  @Test
  void aRequestThatDoesNotFitIsLeftForTheNextBatchAndTheFullOneIsSentAtOnce() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    DynamicBatchScheduler s = start(batching(4, List.of(), LONG), backend);
    FakeBackend.Gate gate = block(s, backend);
    var three = s.enqueue(req(x(3, 0)));
    var two = s.enqueue(req(x(2, 0)));
    long waits = s.waits();
    gate.open();

    assertThat(get(three).batchSize()).isEqualTo(3); // could not grow: sent without the delay
    awaitDecidedToWait(s, waits);
    assertThat(two).isNotDone();
    ticker.advance(LONG);
    s.wakeUp();
    assertThat(get(two).batchSize()).isEqualTo(2);
    assertThat(batchRows(backend)).containsExactly(4L, 3L, 2L);
  }

  @Test
  void requestsOfUnequalShapesNeverShareABatch() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    DynamicBatchScheduler s = start(batching(8, List.of(), Duration.ZERO), backend);
    FakeBackend.Gate gate = block(s, backend);
    var a = s.enqueue(req(x(1, 0)));
    var wide = s.enqueue(req(Tensor.ofFloats("x", new long[] {1, 3}, 1, 2, 3)));
    var c = s.enqueue(req(x(1, 5)));
    var ints = s.enqueue(req(Tensor.ofLongs("x", new long[] {1, 2}, 7, 8)));
    gate.open();

    assertThat(get(a).batchSize()).isEqualTo(1);
    assertThat(get(wide).batchSize()).isEqualTo(1);
    assertThat(get(c).batchSize()).isEqualTo(1);
    assertThat(get(ints).batchSize()).isEqualTo(1);
    assertThat(backend.batches).hasSize(5);
    assertThat(backend.batches.get(2).input("x").shape()).containsExactly(1, 3);
    assertThat(backend.batches.get(4).input("x").type()).isEqualTo(DataType.INT64);
  }

  @Test
  void withBatchingOffEveryRequestExecutesAlone() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    BatcherConfig noDynamic =
        BatcherConfig.builder().maxBatchSize(8).globalMaxQueueSize(16).build();
    DynamicBatchScheduler s = start(noDynamic, backend);
    FakeBackend.Gate gate = block(s, backend);
    var a = s.enqueue(req(x(2, 0)));
    var b = s.enqueue(req(x(1, 0)));
    gate.open();
    assertThat(get(a).batchSize()).isEqualTo(2);
    assertThat(get(b).batchSize()).isEqualTo(1);
    assertThat(batchRows(backend)).containsExactly(8L, 2L, 1L);
  }

  @Test
  void aModelWithoutABatchDimensionTakesAnyShapeOneRequestAtATime() throws Exception {
    FakeBackend backend = new FakeBackend(new ModelSignature(
        List.of(new TensorSpec("x", DataType.INT64, new long[] {4})),
        List.of(new TensorSpec("out_x", DataType.INT64, new long[] {4}))));
    DynamicBatchScheduler s = start(BatcherConfig.unbatched(), backend);
    var a = s.enqueue(req(Tensor.ofLongs("x", new long[] {4}, 1, 2, 3, 4)));
    InferenceResponse r = get(a);
    assertThat(r.batchSize()).isEqualTo(1);
    assertThat(longs(r.outputs().get(0))).containsExactly(1, 2, 3, 4);
  }

  @Test
  void higherPriorityLevelsAreServedFirst() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    DynamicBatchScheduler s = start(unbatchedWith(QueuePolicy.DEFAULT, 2, 2), backend);
    FakeBackend.Gate gate = block(s, backend);
    List<String> order = new CopyOnWriteArrayList<>();
    s.enqueue(withPriority(2, x(1, 0))).thenRun(() -> order.add("low"));
    s.enqueue(withPriority(0, x(1, 0))).thenRun(() -> order.add("default"));
    var high = s.enqueue(withPriority(1, x(1, 0))).thenRun(() -> order.add("high"));
    gate.open();
    get(high);
    await().until(() -> order.size() == 3);
    assertThat(order).containsExactly("high", "low", "default");
  }

  @Test
  void aPriorityAboveTheLevelsBreaksTheValidatorsContract() {
    // The gateway's RequestValidator refuses it; the scheduler only asserts (tests run with -ea).
    DynamicBatchScheduler s = start(unbatchedWith(QueuePolicy.DEFAULT, 2, 1), FakeBackend.fp32());
    assertThatThrownBy(() -> s.enqueue(withPriority(3, x(1, 0))))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("priority: 3")
        .hasMessageContaining("1..2");
  }

  @Test
  void aFullQueueRejectsAtOnceWithUnavailable() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    QueuePolicy two = new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, 0, false, 2);
    DynamicBatchScheduler s = start(unbatchedWith(two, 0, 0), backend);
    FakeBackend.Gate gate = block(s, backend);
    var a = s.enqueue(req(x(1, 0)));
    var b = s.enqueue(req(x(1, 0)));
    var c = s.enqueue(req(x(1, 0)));

    assertThat(c).isCompletedExceptionally();
    Status status = failure(c);
    assertThat(status.code()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.description()).startsWith("queue full");
    assertThat(listener.dropped("queue_full")).isEqualTo(1);
    assertThat(s.pendingCount()).isEqualTo(2);
    gate.open();
    get(a);
    get(b);
  }

  @Test
  void aTimedOutRequestIsRejectedWithUnavailableUnderReject() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    QueuePolicy oneMs = new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, 1000, false, 0);
    DynamicBatchScheduler s = start(unbatchedWith(oneMs, 0, 0), backend);
    FakeBackend.Gate gate = block(s, backend);
    var old = s.enqueue(req(x(1, 0)));
    ticker.advance(Duration.ofMillis(2));
    var fresh = s.enqueue(req(x(1, 0)));
    gate.open();

    Status status = failure(old);
    assertThat(status.code()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.description()).contains("timed out");
    get(fresh);
    assertThat(listener.dropped("timeout")).isEqualTo(1);
    assertThat(backend.batches).hasSize(2);
  }

  // ---------------------------------------------------------------- load shedding

  static BatcherConfig shedding(Duration maxQueueTime) {
    return BatcherConfig.builder().maxQueueTimeMicros(micros(maxQueueTime)).build();
  }

  /**
   * Runs one request on a backend that takes {@code perRun}, so the scheduler has measured it;
   * later runs take no time on the ticker (and, lasting 0, do not change the measure).
   */
  private void calibrate(DynamicBatchScheduler s, FakeBackend backend, Duration perRun)
      throws Exception {
    backend.takeTime(ticker, perRun);
    get(s.enqueue(req(x(1, 0))));
    backend.takeTime(ticker, Duration.ZERO);
  }

  @Test
  void aRequestThatCouldNotStartWithinTheMaxQueueTimeIsShedAtOnce() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    DynamicBatchScheduler s = start(shedding(Duration.ofMillis(100)), backend);
    calibrate(s, backend, Duration.ofMillis(50));
    FakeBackend.Gate gate = block(s, backend);
    var first = s.enqueue(req(x(1, 1)));  // nothing ahead
    var second = s.enqueue(req(x(1, 2))); // ~50 ms ahead
    var third = s.enqueue(req(x(1, 3)));  // ~100 ms ahead: still within
    var fourth = s.enqueue(req(x(1, 4))); // ~150 ms ahead: refused

    assertThat(fourth).isCompletedExceptionally();
    Status status = failure(fourth);
    assertThat(status.code()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.description()).startsWith("overloaded").contains("max queue time (100 ms)");
    assertThat(status.retryAfterMillis()).isEqualTo(150);
    assertThat(listener.dropped("shed")).isEqualTo(1);
    assertThat(s.pendingCount()).isEqualTo(3);
    gate.open();
    get(first);
    get(second);
    get(third);
  }

  @Test
  void aRequestWhoseDeadlineComesBeforeItCouldStartIsShed() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    DynamicBatchScheduler s = start(shedding(Duration.ZERO), backend);
    calibrate(s, backend, Duration.ofMillis(50));
    FakeBackend.Gate gate = block(s, backend);
    var ahead = s.enqueue(req(x(1, 1)));
    long in30ms = ticker.nanoTime() + Duration.ofMillis(30).toNanos();
    var hurried = s.enqueue(
        new InferenceRequest(List.of(x(1, 2)), Set.of(), 0, 0, in30ms, null));
    long in80ms = ticker.nanoTime() + Duration.ofMillis(80).toNanos();
    var patient = s.enqueue(
        new InferenceRequest(List.of(x(1, 3)), Set.of(), 0, 0, in80ms, null));

    Status status = failure(hurried);
    assertThat(status.code()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.description()).contains("deadline allows (30 ms)");
    assertThat(listener.dropped("shed")).isEqualTo(1);
    gate.open();
    get(ahead);
    get(patient);
  }

  @Test
  void nothingIsShedBeforeTheFirstExecutionIsMeasured() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    DynamicBatchScheduler s = start(shedding(Duration.ofNanos(1000)), backend);
    FakeBackend.Gate gate = block(s, backend);
    var queued = s.enqueue(req(x(1, 1)));
    var alsoQueued = s.enqueue(req(x(1, 2)));

    assertThat(queued).isNotDone();
    assertThat(alsoQueued).isNotDone();
    assertThat(listener.dropped("shed")).isZero();
    gate.open();
    get(queued);
    get(alsoQueued);
  }

  @Test
  void anAdmittedRequestIsServedEvenAfterTheMaxQueueTime() throws Exception {
    // Shedding refuses at the door only: an admitted request is never dropped for waiting.
    FakeBackend backend = FakeBackend.fp32();
    DynamicBatchScheduler s = start(shedding(Duration.ofMillis(1)), backend);
    FakeBackend.Gate gate = block(s, backend);
    var old = s.enqueue(req(x(1, 1)));
    ticker.advance(Duration.ofMillis(2));
    gate.open();

    get(old);
    assertThat(listener.dropped("shed")).isZero();
    assertThat(backend.batches).hasSize(2);
  }

  @Test
  void aTimedOutRequestMovesBehindTheOthersUnderDelay() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    QueuePolicy delay = new QueuePolicy(QueuePolicy.TimeoutAction.DELAY, 1000, false, 0);
    DynamicBatchScheduler s = start(unbatchedWith(delay, 0, 0), backend);
    FakeBackend.Gate gate = block(s, backend);
    List<Float> order = new CopyOnWriteArrayList<>();
    var late = s.enqueue(req(x(1, 1)));
    ticker.advance(Duration.ofMillis(2));
    s.enqueue(req(x(1, 2)));
    s.enqueue(req(x(1, 3)));
    gate.open();

    get(late);
    for (FakeBackend.Batch b : backend.batches) {
      order.add(floats(b.input("x"))[0]);
    }
    assertThat(order).containsExactly(-100f, 2f, 3f, 1f);
    assertThat(listener.dropped("timeout")).isZero();
  }

  @Test
  void aRequestTimeoutShortensTheDefaultOnlyWhereOverrideIsAllowed() throws Exception {
    QueuePolicy allow = new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, 10_000, true, 0);
    QueuePolicy deny = new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, 10_000, false, 0);
    InferenceRequest oneMs = new InferenceRequest(List.of(x(1, 0)), Set.of(), 0, 1000,
        Long.MAX_VALUE, null);

    FakeBackend allowing = FakeBackend.fp32();
    DynamicBatchScheduler s1 = start(unbatchedWith(allow, 0, 0), allowing);
    FakeBackend denying = FakeBackend.fp32();
    DynamicBatchScheduler s2 = start(unbatchedWith(deny, 0, 0), denying);
    FakeBackend.Gate g1 = block(s1, allowing);
    FakeBackend.Gate g2 = block(s2, denying);
    var overridden = s1.enqueue(oneMs);
    var ignored = s2.enqueue(oneMs);
    ticker.advance(Duration.ofMillis(2));
    g1.open();
    g2.open();

    assertThat(failure(overridden).code()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(get(ignored).batchSize()).isEqualTo(1);
  }

  @Test
  void theTimeoutRuleOnlyShortensAndOnlyWhereAllowed() {
    QueuePolicy allow = new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, 100, true, 0);
    QueuePolicy allowNoDefault = new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, 0, true, 0);
    QueuePolicy deny = new QueuePolicy(QueuePolicy.TimeoutAction.REJECT, 100, false, 0);
    assertThat(DynamicBatchScheduler.timeoutMicros(allow, 50)).isEqualTo(50);
    assertThat(DynamicBatchScheduler.timeoutMicros(allow, 500)).isEqualTo(100);
    assertThat(DynamicBatchScheduler.timeoutMicros(allow, 0)).isEqualTo(100);
    assertThat(DynamicBatchScheduler.timeoutMicros(allowNoDefault, 500)).isEqualTo(500);
    assertThat(DynamicBatchScheduler.timeoutMicros(deny, 50)).isEqualTo(100);
  }

  @Test
  void expiredDeadlinesAndCancelledRequestsAreDroppedBeforeBatching() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    DynamicBatchScheduler s = start(batching(8, List.of(), Duration.ZERO), backend);
    FakeBackend.Gate gate = block(s, backend);
    var late = s.enqueue(new InferenceRequest(List.of(x(1, 0)), Set.of(), 0, 0,
        ticker.nanoTime() + Duration.ofMillis(1).toNanos(), null));
    AtomicBoolean gone = new AtomicBoolean();
    var cancelled = s.enqueue(new InferenceRequest(List.of(x(1, 0)), Set.of(), 0, 0,
        Long.MAX_VALUE, gone::get));
    var kept = s.enqueue(req(x(1, 42)));
    gone.set(true);
    ticker.advance(Duration.ofMillis(2));
    gate.open();

    assertThat(failure(late).code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(failure(cancelled).code()).isEqualTo(Status.Code.CANCELLED);
    assertThat(floats(get(kept).outputs().get(0))).containsExactly(42f, 43f);
    assertThat(listener.dropped("deadline")).isEqualTo(1);
    assertThat(listener.dropped("cancelled")).isEqualTo(1);
    assertThat(batchRows(backend)).containsExactly(8L, 1L);
  }

  // ---------------------------------------------------------------- data

  @Test
  void aBatchOfOneRequestPassesItsTensorsThroughUntouched() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    DynamicBatchScheduler s = start(batching(8, List.of(), Duration.ZERO), backend);
    Tensor input = x(2, 0);
    get(s.enqueue(req(input)));
    assertThat(backend.batches.get(0).input("x")).isSameAs(input);
  }

  @Test
  void fp32InputsAreConcatenatedIntoOneDirectBufferAndSplitBackPerRequest() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    DynamicBatchScheduler s = start(batching(8, List.of(), Duration.ZERO), backend);
    FakeBackend.Gate gate = block(s, backend);
    var a = s.enqueue(req(x(1, 0)));
    var b = s.enqueue(req(x(2, 10)));
    var c = s.enqueue(req(x(1, 20)));
    gate.open();

    InferenceResponse rb = get(b);
    Tensor batched = backend.batches.get(1).input("x");
    assertThat(batched.shape()).containsExactly(4, 2);
    assertThat(batched.data().isDirect()).isTrue();
    assertThat(floats(batched)).containsExactly(0, 1, 10, 11, 12, 13, 20, 21);
    assertThat(floats(get(a).outputs().get(0))).containsExactly(0, 1);
    assertThat(rb.outputs().get(0).shape()).containsExactly(2, 2);
    assertThat(floats(rb.outputs().get(0))).containsExactly(10, 11, 12, 13);
    assertThat(floats(get(c).outputs().get(0))).containsExactly(20, 21);
  }

  @Test
  void int64InputsAreConcatenatedAndSplit() throws Exception {
    FakeBackend backend = new FakeBackend(new ModelSignature(
        List.of(new TensorSpec("ids", DataType.INT64, new long[] {-1, 3})),
        List.of(new TensorSpec("out_ids", DataType.INT64, new long[] {-1, 3}))));
    DynamicBatchScheduler s = start(batching(8, List.of(), Duration.ZERO), backend);
    FakeBackend.Gate gate = backend.holdNextRun();
    s.enqueue(req(Tensor.ofLongs("ids", new long[] {1, 3}, -1, -1, -1)));
    gate.awaitEntered();
    var a = s.enqueue(req(Tensor.ofLongs("ids", new long[] {2, 3}, 1, 2, 3, 4, 5, 6)));
    var b = s.enqueue(req(Tensor.ofLongs("ids", new long[] {1, 3}, Long.MAX_VALUE, 0, -7)));
    gate.open();

    assertThat(longs(get(a).outputs().get(0))).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(longs(get(b).outputs().get(0))).containsExactly(Long.MAX_VALUE, 0, -7);
    assertThat(backend.batches.get(1).input("ids").shape()).containsExactly(3, 3);
  }

  @Test
  void bytesInputsConcatenateTheirFramedElementsAndSplitByLengthPrefix() throws Exception {
    FakeBackend backend = new FakeBackend(new ModelSignature(
        List.of(new TensorSpec("text", DataType.BYTES, new long[] {-1, 1})),
        List.of(new TensorSpec("out_text", DataType.BYTES, new long[] {-1, 1}))));
    DynamicBatchScheduler s = start(batching(8, List.of(), Duration.ZERO), backend);
    FakeBackend.Gate gate = backend.holdNextRun();
    s.enqueue(req(Tensor.ofStrings("text", new long[] {1, 1}, List.of("blocker"))));
    gate.awaitEntered();
    var a = s.enqueue(req(Tensor.ofStrings("text", new long[] {2, 1}, List.of("red", ""))));
    var b = s.enqueue(req(Tensor.ofStrings("text", new long[] {1, 1}, List.of("ünïcode"))));
    gate.open();

    Tensor ra = get(a).outputs().get(0);
    Tensor rb = get(b).outputs().get(0);
    assertThat(backend.batches.get(1).input("text").bytesElements()).hasSize(3);
    assertThat(ra.shape()).containsExactly(2, 1);
    assertThat(ra.bytesElements()).extracting(e -> new String(e, StandardCharsets.UTF_8))
        .containsExactly("red", "");
    assertThat(rb.bytesElements()).extracting(e -> new String(e, StandardCharsets.UTF_8))
        .containsExactly("ünïcode");
  }

  @Test
  void theBackendGetsTheUnionOfRequestedOutputsAndEachRequestOnlyItsOwn() throws Exception {
    FakeBackend backend = FakeBackend.withOutputs("x", "out_x", "y", "z");
    DynamicBatchScheduler s = start(batching(8, List.of(), Duration.ZERO), backend);
    FakeBackend.Gate gate = block(s, backend);
    var wantsZ = s.enqueue(new InferenceRequest(List.of(x(1, 0)), Set.of("z"), 0, 0,
        Long.MAX_VALUE, null));
    var wantsXAndY = s.enqueue(new InferenceRequest(List.of(x(1, 0)), Set.of("y", "out_x"), 0, 0,
        Long.MAX_VALUE, null));
    gate.open();

    assertThat(get(wantsZ).outputs()).extracting(Tensor::name).containsExactly("z");
    assertThat(get(wantsXAndY).outputs()).extracting(Tensor::name).containsExactly("out_x", "y");
    assertThat(backend.batches.get(1).outputs()).containsExactlyInAnyOrder("out_x", "y", "z");
    assertThat(get(s.enqueue(req(x(1, 0)))).outputs()).extracting(Tensor::name)
        .containsExactly("out_x", "y", "z");
  }

  @Test
  void anUnknownRequestedOutputOrAnOversizedBatchBreaksTheValidatorsContract() {
    DynamicBatchScheduler s = start(batching(4, List.of(), Duration.ZERO), FakeBackend.fp32());
    assertThatThrownBy(() -> s.enqueue(new InferenceRequest(List.of(x(1, 0)), Set.of("nope"), 0,
            0, Long.MAX_VALUE, null)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("nope")
        .hasMessageContaining("out_x");
    assertThatThrownBy(() -> s.enqueue(req(x(5, 0))))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("batch size 5")
        .hasMessageContaining("1..4");
  }

  @Test
  void anOutputWithoutTheBatchDimensionFailsABatchOfSeveralWithInternal() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    DynamicBatchScheduler s = start(batching(8, List.of(), Duration.ZERO), backend);
    FakeBackend.Gate gate = block(s, backend);
    var a = s.enqueue(req(x(1, 0)));
    var b = s.enqueue(req(x(1, 0)));
    backend.returnOnRun(1, List.of(Tensor.ofFloats("out_x", new long[] {5}, 1, 2, 3, 4, 5)));
    gate.open();
    Status status = failure(a);
    assertThat(status.code()).isEqualTo(Status.Code.INTERNAL);
    assertThat(status.description()).contains("no batch dimension");
    assertThat(failure(b).code()).isEqualTo(Status.Code.INTERNAL);
  }

  // ---------------------------------------------------------------- failures, order, timing

  @Test
  void aBackendFailureFailsTheWholeBatchAndTheSchedulerKeepsServing() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    DynamicBatchScheduler s = start(batching(8, List.of(), Duration.ZERO), backend);
    FakeBackend.Gate gate = block(s, backend);
    var a = s.enqueue(req(x(1, 0)));
    var b = s.enqueue(req(x(1, 0)));
    backend.failRun(1, new IllegalStateException("boom"));
    gate.open();
    assertThat(failure(a).code()).isEqualTo(Status.Code.INTERNAL);
    // The client sees a generic description; the cause (logged by whoever answers) keeps "boom".
    assertThat(failure(b).description()).isEqualTo(Status.INTERNAL_ERROR);
    assertThat(failure(b).cause()).hasMessage("boom");

    backend.failRun(2, Status.invalidArgument("bad row").asException());
    Status passedThrough = failure(s.enqueue(req(x(1, 0))));
    assertThat(passedThrough.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(passedThrough.description()).isEqualTo("bad row");

    assertThat(floats(get(s.enqueue(req(x(1, 7)))).outputs().get(0))).containsExactly(7, 8);
    assertThat(backend.batches).hasSize(4);
  }

  @Test
  void preserveOrderingHoldsALaterResponseUntilTheEarlierOneCompletes() throws Exception {
    FakeBackend first = FakeBackend.fp32();
    FakeBackend second = FakeBackend.fp32();
    BatcherConfig ordered =
        BatcherConfig.builder().preserveOrdering(true).globalMaxQueueSize(16).build();
    DynamicBatchScheduler s = start(ordered, first, second);
    FakeBackend.Gate g1 = first.holdNextRun();
    FakeBackend.Gate g2 = second.holdNextRun();
    List<String> completed = new CopyOnWriteArrayList<>();
    var a = s.enqueue(req(x(1, 0))).whenComplete((r, e) -> completed.add("a"));
    await().until(() -> g1.entered() || g2.entered());
    FakeBackend.Gate aGate = g1.entered() ? g1 : g2;
    FakeBackend.Gate bGate = aGate == g1 ? g2 : g1;
    var b = s.enqueue(req(x(1, 0))).whenComplete((r, e) -> completed.add("b"));
    bGate.awaitEntered();

    bGate.open();
    await().until(() -> s.completionsParked() == 1);
    assertThat(b).isNotDone();
    aGate.open();
    get(a);
    get(b);
    assertThat(completed).containsExactly("a", "b");
  }

  @Test
  void everyInstanceRunsOnItsOwnNamedDaemonThread() throws Exception {
    FakeBackend first = FakeBackend.fp32();
    FakeBackend second = FakeBackend.fp32();
    DynamicBatchScheduler s = start(BatcherConfig.dynamic(4), first, second);
    FakeBackend.Gate g1 = first.holdNextRun();
    FakeBackend.Gate g2 = second.holdNextRun();
    var a = s.enqueue(req(x(1, 0)));
    await().until(() -> g1.entered() || g2.entered());
    var b = s.enqueue(req(x(1, 0)));
    g1.awaitEntered(); // both instances busy at once
    g2.awaitEntered();
    g1.open();
    g2.open();
    get(a);
    get(b);
    assertThat(List.of(first.batches.get(0).thread(), second.batches.get(0).thread()))
        .containsExactlyInAnyOrder("sluice-test-instance-0", "sluice-test-instance-1");
  }

  @Test
  void timingsComeFromTheTickerAndReachTheListenerAndTheResponse() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    DynamicBatchScheduler s = start(batching(8, List.of(), Duration.ZERO), backend);
    FakeBackend.Gate gate = block(s, backend);
    var a = s.enqueue(req(x(1, 0)));
    var b = s.enqueue(req(x(2, 0)));
    ticker.advance(Duration.ofMillis(3));
    backend.takeTime(ticker, Duration.ofMillis(5));
    gate.open();

    InferenceResponse r = get(a);
    get(b);
    assertThat(r.queueNanos()).isGreaterThanOrEqualTo(Duration.ofMillis(3).toNanos());
    assertThat(r.computeInferNanos()).isEqualTo(Duration.ofMillis(5).toNanos());
    assertThat(r.computeInputNanos()).isZero();
    assertThat(r.computeOutputNanos()).isZero();
    await().until(() -> listener.executions.size() == 2);
    RecordingListener.Execution e = listener.executions.get(1);
    assertThat(e.batchSize()).isEqualTo(3);
    assertThat(e.requests()).isEqualTo(2);
    assertThat(e.infer()).isEqualTo(Duration.ofMillis(5).toNanos());
  }

  @Test
  void closeFinishesWhatIsQueuedThenRejectsAndClosesTheBackends() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    DynamicBatchScheduler s = start(batching(8, List.of(), LONG), backend);
    FakeBackend.Gate gate = block(s, backend);
    var a = s.enqueue(req(x(1, 0)));
    var b = s.enqueue(req(x(1, 0)));
    Thread closer = new Thread(s::close);
    closer.start();
    await().until(s::isClosing);
    gate.open();
    closer.join(10_000);

    assertThat(closer.isAlive()).isFalse();
    assertThat(get(a).batchSize()).isEqualTo(2); // sent without waiting out the 10 s delay
    assertThat(get(b).batchSize()).isEqualTo(2);
    assertThat(backend.closed).isTrue();
    Status late = failure(s.enqueue(req(x(1, 0))));
    assertThat(late.code()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(late.description()).isEqualTo("model is unloading");
    assertThat(listener.dropped("shutdown")).isEqualTo(1);
  }

  @Test
  void pendingCountFollowsTheQueue() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    DynamicBatchScheduler s = start(batching(8, List.of(), Duration.ZERO), backend);
    FakeBackend.Gate gate = block(s, backend);
    assertThat(s.pendingCount()).isZero();
    var a = s.enqueue(req(x(1, 0)));
    s.enqueue(req(x(1, 0)));
    assertThat(s.pendingCount()).isEqualTo(2);
    gate.open();
    get(a);
    await().until(() -> s.pendingCount() == 0);
  }

  @Test
  void whenEmptyRunsOnceWhenTheQueueEmptiesAndAtOnceWhenItIsEmpty() throws Exception {
    FakeBackend backend = FakeBackend.fp32();
    DynamicBatchScheduler s = start(batching(8, List.of(), Duration.ZERO), backend);
    FakeBackend.Gate gate = block(s, backend);
    List<String> told = new CopyOnWriteArrayList<>();
    s.whenEmpty(() -> told.add("idle"));
    assertThat(told).as("nothing waiting: run at once").containsExactly("idle");

    var a = s.enqueue(req(x(1, 0)));
    s.enqueue(req(x(1, 0)));
    s.whenEmpty(() -> told.add("emptied"));
    assertThat(told).as("two waiting").containsExactly("idle");
    gate.open();
    get(a);
    await().until(() -> told.size() == 2);
    assertThat(told).containsExactly("idle", "emptied");
    s.enqueue(req(x(1, 0))).get(5, TimeUnit.SECONDS);
    assertThat(told).as("each callback once").containsExactly("idle", "emptied");
  }

  @Test
  void creatingWithoutInstancesFails() {
    assertThatThrownBy(
            () -> Schedulers.create(BatcherConfig.unbatched(), List.of(), ticker, listener))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("instances: 0");
  }
}
