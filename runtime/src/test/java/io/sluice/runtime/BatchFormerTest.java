package io.sluice.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Triton's batching rule as a pure function: queue and time in, decision out. The threaded
 * behaviour is in {@link DynamicBatchSchedulerTest}; these pin down the corner cases of the rule.
 */
class BatchFormerTest {
  private static final long US = 1000;

  private final List<BatchFormer.Dropped> dropped = new ArrayList<>();

  static BatcherConfig config(int max, List<Integer> preferred, long delayMicros) {
    return BatcherConfig.builder()
        .maxBatchSize(max)
        .dynamicBatching(true)
        .preferredBatchSizes(preferred)
        .maxQueueDelayMicros(delayMicros)
        .globalMaxQueueSize(64)
        .build();
  }

  static PendingRequest request(int level, int rows, long enqueueNanos, long timeoutAt) {
    List<Tensor> in = List.of(Tensor.ofFloats("x", new long[] {rows, 1}, new float[rows]));
    return new PendingRequest(new InferenceRequest(in, Set.of(), level, 0, Long.MAX_VALUE, null),
        new CompletableFuture<>(), level, rows, BatchKey.of(in), enqueueNanos, timeoutAt);
  }

  static RequestQueue queue(int... rows) {
    RequestQueue q = new RequestQueue(1, QueuePolicy.DEFAULT, Map.of(), 64);
    for (int r : rows) {
      q.offer(request(1, r, 0, PendingRequest.NONE));
    }
    return q;
  }

  @Test
  void theLargestPreferredSizeWithinReachIsSent() {
    BatchFormer former = new BatchFormer(config(8, List.of(2, 4), 1_000_000));
    assertThat(former.decide(queue(1, 1, 1, 1, 1), 0, false, dropped))
        .isEqualTo(BatchFormer.Decision.send(4));
  }

  @Test
  void whatFormedBeforeGrowthWouldPassTheLargestPreferredSizeIsSentAtOnce() {
    BatchFormer former = new BatchFormer(config(8, List.of(4), 1_000_000));
    assertThat(former.decide(queue(3, 3), 0, false, dropped))
        .isEqualTo(BatchFormer.Decision.send(1));
  }

  @Test
  void aBatchBelowEveryPreferredSizeWaitsOutTheRestOfItsOldestRequestsDelay() {
    BatchFormer former = new BatchFormer(config(8, List.of(), 100));
    RequestQueue q = new RequestQueue(1, QueuePolicy.DEFAULT, Map.of(), 64);
    q.offer(request(1, 1, 0, PendingRequest.NONE));
    q.offer(request(1, 1, 60 * US, PendingRequest.NONE));
    assertThat(former.decide(q, 70 * US, false, dropped))
        .isEqualTo(BatchFormer.Decision.waitFor(30 * US));
    assertThat(former.decide(q, 100 * US, false, dropped))
        .isEqualTo(BatchFormer.Decision.send(2));
  }

  @Test
  void onceTheDelayHasPassedEverythingThatFitsIsSentNotOnlyThePreferredSize() {
    BatchFormer former = new BatchFormer(config(8, List.of(4), 100));
    RequestQueue q = queue(1, 1, 1, 1, 1);
    assertThat(former.decide(q, 0, false, dropped)).isEqualTo(BatchFormer.Decision.send(4));
    assertThat(former.decide(q, 100 * US, false, dropped)).isEqualTo(BatchFormer.Decision.send(5));
  }

  @Test
  void aZeroDelaySendsWhateverFormed() {
    BatchFormer former = new BatchFormer(config(8, List.of(), 0));
    assertThat(former.decide(queue(1, 2), 0, false, dropped))
        .isEqualTo(BatchFormer.Decision.send(2));
  }

  @Test
  void closingSendsWithoutWaiting() {
    BatchFormer former = new BatchFormer(config(8, List.of(), 1_000_000));
    assertThat(former.decide(queue(1), 0, true, dropped)).isEqualTo(BatchFormer.Decision.send(1));
  }

  @Test
  void anEmptyQueueIsIdle() {
    BatchFormer former = new BatchFormer(config(8, List.of(), 100));
    BatchFormer.Decision d = former.decide(queue(), 0, false, dropped);
    assertThat(d.isIdle()).isTrue();
    assertThat(d.isSend()).isFalse();
  }

  @Test
  void withBatchingOffTheFirstRequestIsSentAlone() {
    BatchFormer former = new BatchFormer(BatcherConfig.unbatched());
    assertThat(former.decide(queue(1, 1, 1), 0, false, dropped))
        .isEqualTo(BatchFormer.Decision.send(1));
  }

  @Test
  void delayedRequestsGoBehindTheirLevelButStayAheadOfLowerLevels() {
    QueuePolicy delay = new QueuePolicy(QueuePolicy.TimeoutAction.DELAY, 10, false, 0);
    RequestQueue q = new RequestQueue(2, delay, Map.of(), 64);
    PendingRequest a = request(1, 1, 0, 10 * US);
    PendingRequest b = request(1, 1, 20 * US, 30 * US);
    PendingRequest c = request(2, 1, 20 * US, 30 * US);
    q.offer(a);
    q.offer(b);
    q.offer(c);
    BatchFormer former = new BatchFormer(BatcherConfig.unbatched());

    List<PendingRequest> order = new ArrayList<>();
    while (!q.isEmpty()) {
      assertThat(former.decide(q, 25 * US, false, dropped)).isEqualTo(BatchFormer.Decision.send(1));
      order.add(q.poll());
    }
    assertThat(order).containsExactly(b, a, c);
    assertThat(a.delayed).isTrue();
    assertThat(dropped).isEmpty();
  }

  @Test
  void droppedRequestsLeaveTheQueueAndAreHandedBack() {
    RequestQueue q = new RequestQueue(1, QueuePolicy.DEFAULT, Map.of(), 64);
    PendingRequest expired = request(1, 1, 0, 5 * US);
    PendingRequest live = request(1, 1, 0, PendingRequest.NONE);
    q.offer(expired);
    q.offer(live);
    BatchFormer former = new BatchFormer(config(8, List.of(), 0));
    assertThat(former.decide(q, Duration.ofMillis(1).toNanos(), false, dropped))
        .isEqualTo(BatchFormer.Decision.send(1));
    assertThat(dropped).singleElement().satisfies(d -> {
      assertThat(d.request()).isSameAs(expired);
      assertThat(d.reason()).isEqualTo("timeout");
      assertThat(d.status().code()).isEqualTo(Status.Code.UNAVAILABLE);
    });
    assertThat(q.size()).isEqualTo(1);
    assertThat(q.poll()).isSameAs(live);
  }
}
