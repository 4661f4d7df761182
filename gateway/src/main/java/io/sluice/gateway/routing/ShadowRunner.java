package io.sluice.gateway.routing;

import io.sluice.gateway.core.InferenceEvent;
import io.sluice.gateway.core.InferenceListener;
import io.sluice.gateway.core.ShadowSink;
import io.sluice.gateway.core.V2InferRequest;
import io.sluice.gateway.model.LoadedVersion;
import io.sluice.gateway.model.Selection;
import io.sluice.runtime.InferenceRequest;
import io.sluice.runtime.InferenceResponse;
import io.sluice.runtime.Scheduler;
import io.sluice.runtime.Status;
import io.sluice.runtime.Tensor;
import io.sluice.runtime.Ticker;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs shadow copies off the request path. On the event loop, {@link #offer} copies the
 * request's inputs and the primary's outputs into heap tensors of its own (the originals are
 * views of buffers the front end frees once the answer is written: the ownership rule) and puts
 * one task per shadow version in a bounded JCTools queue; a full queue drops the copy and counts
 * it. The shadow executor drains the queue: it leases the shadow version, queues the copy on its
 * scheduler (at most {@code maxInFlight} at a time, so a slow shadow fills the queue and drops
 * rather than taking the primary's capacity), and scores the answer against the primary's on
 * the same executor. The primary's answer is already on its way: nothing here can change it or
 * add to its latency.
 *
 * <p>Shadows yield to the primary: a copy starts only while the primary version's scheduler has
 * no request waiting, so on a busy core a shadow's engine run does not sit between queued
 * primary requests and their instance. Otherwise the drain stops and asks that scheduler to
 * tell it when its queue is next empty ({@link Scheduler#whenEmpty}, no polling); copies wait in
 * the bounded queue meanwhile, and one that finds it full is dropped and counted
 * ({@code queue_full}), so under sustained saturation a shadow loses copies, counted, rather than
 * taking the primary's capacity.
 *
 * <p>Each shadow run that reached its version is then published, on the shadow executor, as an
 * {@link InferenceEvent} with role SHADOW (the primary's request context, so the same id, and
 * route; the shadow's version; the copied inputs and the shadow's outputs) to the listeners the
 * server gives it: the drift monitor profiles the shadow version and the prediction log writes
 * its record. The tensors stay valid while they run: the inputs are this task's copies, the
 * outputs the shadow's own answer, and the lease is released only afterwards.
 */
final class ShadowRunner implements ShadowSink {
  private static final Logger log = LoggerFactory.getLogger(ShadowRunner.class);

  /** One shadow copy waiting to run. */
  private record Task(LoadedVersion primary, LoadedVersion shadow, List<Tensor> inputs,
      V2InferRequest request, List<Tensor> primaryOutputs, TrafficPolicy.Comparison comparison,
      Selection.Route route) {}

  private final TrafficTable table;
  private final ShadowScores scores;
  private final MpscArrayQueue<Task> queue;
  private final Executor executor;
  private final int maxInFlight;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger draining = new AtomicInteger();
  private final List<InferenceListener> listeners;
  private final Ticker ticker;
  /** Whether a drain that yielded to a busy primary waits for its queue to empty. */
  private final AtomicBoolean waiting = new AtomicBoolean();
  /** Run by the primary's scheduler once its queue is empty: one object, made once. */
  private final Runnable resume = this::resume;

  /**
   * @param executor one thread: drains the queue and scores the answers
   * @param capacity the queue's bound; beyond it copies are dropped
   * @param maxInFlight shadow requests queued on shadow versions at once
   * @param listeners told of every shadow run, on the shadow executor; each must never block
   */
  ShadowRunner(TrafficTable table, ShadowScores scores, Executor executor, int capacity,
      int maxInFlight, List<InferenceListener> listeners, Ticker ticker) {
    this.listeners = List.copyOf(listeners);
    this.ticker = ticker;
    this.table = table;
    this.scores = scores;
    this.queue = new MpscArrayQueue<>(capacity);
    this.executor = executor;
    this.maxInFlight = maxInFlight;
  }

  @Override
  public void offer(Selection selection, V2InferRequest request, List<Tensor> primaryOutputs) {
    LoadedVersion primary = selection.primary();
    if (queue.size() >= queue.capacity()) {
      // Checked before copying: a full queue costs the request nothing.
      for (int i = 0; i < selection.shadows().size(); i++) {
        scores.dropped(primary.name(), "queue_full");
      }
      return;
    }
    LiveState live = table.state(primary.name());
    TrafficPolicy.Comparison comparison = live == null
        ? TrafficPolicy.Comparison.ofDefaults() : live.policy().comparison();
    List<Tensor> inputs = copy(request.inputs());
    List<Tensor> outputs = copy(primaryOutputs);
    for (LoadedVersion shadow : selection.shadows()) {
      if (!queue.offer(new Task(primary, shadow, inputs, request, outputs, comparison,
          selection.route()))) {
        scores.dropped(primary.name(), "queue_full");
      }
    }
    schedule();
  }

  private void schedule() {
    if (draining.getAndIncrement() == 0) {
      executor.execute(this::drain);
    }
  }

  /** On the shadow executor: runs tasks while the in-flight bound allows. */
  private void drain() {
    do {
      draining.set(1);
      while (inFlight.get() < maxInFlight) {
        Task t = queue.peek();
        if (t == null) {
          break;
        }
        Scheduler primary = t.primary().scheduler();
        if (primary.pendingCount() > 0) {
          waitFor(primary);
          break;
        }
        start(queue.poll());
      }
    } while (draining.decrementAndGet() != 0);
  }

  /** One wait at a time: the drain it resumes finds the queue as it then is. */
  private void waitFor(Scheduler primary) {
    if (waiting.compareAndSet(false, true)) {
      primary.whenEmpty(resume);
    }
  }

  /** On the primary's instance thread (or this one, if it emptied meanwhile): quick. */
  private void resume() {
    waiting.set(false);
    try {
      schedule();
    } catch (RejectedExecutionException e) {
      // shutting down: the queued copies are not run (the primaries have their answers)
    }
  }

  private void start(Task t) {
    ShadowScores.Score score = scores.of(t.primary().name(), t.primary().version(),
        t.shadow().version());
    if (!t.shadow().tryAcquire()) {
      scores.dropped(t.primary().name(), "version_retired");
      return;
    }
    long startNanos = ticker.nanoTime();
    CompletableFuture<InferenceResponse> answer;
    try {
      V2InferRequest r = t.request();
      Set<String> wanted = t.shadow().validator().validate(t.inputs(), r.outputs(), r.priority());
      answer = t.shadow().scheduler().enqueue(new InferenceRequest(t.inputs(), wanted,
          r.priority(), 0, Long.MAX_VALUE, null));
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    inFlight.incrementAndGet();
    answer.whenCompleteAsync((result, error) -> {
      try {
        if (error != null) {
          score.error.increment();
          log.debug("shadow version {} of '{}' failed: {}", t.shadow().version(),
              t.shadow().name(), error.toString());
        } else {
          ShadowComparator.Result r =
              ShadowComparator.compare(t.primaryOutputs(), result.outputs(), t.comparison());
          score.record(r);
          guard(t, r.agree());
        }
        publish(t, result, error, ticker.nanoTime() - startNanos);
      } finally {
        t.shadow().release();
        inFlight.decrementAndGet();
        schedule();
      }
    }, executor);
  }

  /** Tells the listeners of a finished shadow run, before its lease is released. */
  private void publish(Task t, InferenceResponse result, Throwable error, long totalNanos) {
    if (listeners.isEmpty()) {
      return;
    }
    InferenceEvent event =
        InferenceEvent.builder(t.shadow(), InferenceEvent.Role.SHADOW, t.request().context())
            .inputs(t.inputs())
            .result(result)
            .status(error == null ? null : Status.fromThrowable(error))
            .totalNanos(totalNanos)
            .route(t.route())
            .build();
    for (int i = 0, n = listeners.size(); i < n; i++) {
      try {
        listeners.get(i).onInference(event);
      } catch (RuntimeException e) {
        log.warn("inference listener {} failed on a shadow run", listeners.get(i), e);
      }
    }
  }

  /** The agreement guard: a candidate shadowing stable whose answers disagree is rolled back. */
  private void guard(Task t, boolean agree) {
    String model = t.primary().name();
    LiveState live = table.state(model);
    if (live == null || t.primary().version() != live.policy().stable()
        || live.isRolledBack(t.shadow().version())) {
      return;
    }
    CandidateGuard g = live.guards().get(t.shadow().version());
    if (g != null && g.recordAgreement(agree)) {
      table.rollback(model, t.shadow().version(), "agreement", g.agreementDetail());
    }
  }

  /** Heap copies the shadow owns: never the request's buffers. */
  static List<Tensor> copy(List<Tensor> tensors) {
    List<Tensor> out = new ArrayList<>(tensors.size());
    for (Tensor t : tensors) {
      ByteBuffer src = t.data();
      ByteBuffer dst = ByteBuffer.allocate(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
      dst.put(src).flip();
      out.add(Tensor.of(t.name(), t.type(), t.shape(), dst));
    }
    return out;
  }
}
