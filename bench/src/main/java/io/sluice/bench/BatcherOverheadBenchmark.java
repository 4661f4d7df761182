package io.sluice.bench;

import io.sluice.runtime.BatcherConfig;
import io.sluice.runtime.DataType;
import io.sluice.runtime.EchoBackend;
import io.sluice.runtime.InferenceRequest;
import io.sluice.runtime.InferenceResponse;
import io.sluice.runtime.ModelSignature;
import io.sluice.runtime.Scheduler;
import io.sluice.runtime.SchedulerListener;
import io.sluice.runtime.Schedulers;
import io.sluice.runtime.TensorSpec;
import io.sluice.runtime.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * What the scheduler itself costs a request, enqueue to completed future, with the engine taken
 * out: one instance of an {@link EchoBackend} (no compute, shared zero outputs) with the tiny
 * MLP's signature, FP32 [1, 32] requests.
 *
 * <p>{@code batching=off} is the tiny model's {@code max_batch_size: 64} without {@code
 * dynamic_batching} (every request executes alone); {@code dynamic64} is {@code
 * dynamic_batching { }} with the same max, so the two differ only in batch forming, input
 * concatenation and output splitting. Three ways to submit:
 *
 * <ul>
 *   <li>{@link #oneSubmitter}: one caller, one request in flight: the latency a lone request
 *       pays, mostly the two thread hand-offs (caller → instance thread → caller);
 *   <li>{@link #fourSubmitters}: four callers sharing the scheduler, each waiting for its own
 *       answer; the score is each one's latency, their throughput is 4 / score, and with batching
 *       on they form batches of up to four;
 *   <li>{@link #burstOf64}: one caller enqueues 64 requests and then waits for all, the way an
 *       event loop hands off a burst without blocking; the score is per request, so it is the
 *       scheduler's CPU cost per request with the wake-ups amortised.
 * </ul>
 */
@State(Scope.Benchmark)
public class BatcherOverheadBenchmark extends SluiceBenchmark {
  static final int MAX_BATCH = 64;
  static final int BURST = 64;

  @Param({"off", "dynamic64"})
  public String batching;

  private Scheduler scheduler;
  private InferenceRequest request;

  @Setup(Level.Trial)
  public void setUp() {
    ModelSignature tiny =
        new ModelSignature(
            List.of(new TensorSpec("input", DataType.FP32, new long[] {-1, 32})),
            List.of(new TensorSpec("output", DataType.FP32, new long[] {-1, 1})));
    scheduler =
        Schedulers.create(
            "bench", config(batching), List.of(new EchoBackend(tiny)), Ticker.SYSTEM,
            SchedulerListener.NOOP);
    request =
        InferenceRequest.of(
            List.of(EngineBaselineBenchmark.randomInput(tiny.inputs().get(0), 1, 32)));
  }

  static BatcherConfig config(String batching) {
    BatcherConfig dynamic = BatcherConfig.dynamic(MAX_BATCH);
    switch (batching) {
      case "dynamic64":
        return dynamic;
      case "off":
        return dynamic.toBuilder().dynamicBatching(false).build();
      default:
        throw new IllegalArgumentException(
            "batching: '" + batching + "' (expected: off or dynamic64)");
    }
  }

  @Benchmark
  @Threads(1)
  public InferenceResponse oneSubmitter() {
    return scheduler.enqueue(request).join();
  }

  @Benchmark
  @Threads(4)
  public InferenceResponse fourSubmitters() {
    return scheduler.enqueue(request).join();
  }

  @Benchmark
  @Threads(1)
  @OperationsPerInvocation(BURST)
  public int burstOf64() {
    List<CompletableFuture<InferenceResponse>> futures = new ArrayList<>(BURST);
    for (int i = 0; i < BURST; i++) {
      futures.add(scheduler.enqueue(request));
    }
    int items = 0;
    for (CompletableFuture<InferenceResponse> f : futures) {
      items += f.join().batchSize();
    }
    return items;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (scheduler != null) {
      scheduler.close();
      scheduler = null;
    }
  }
}
