package io.sluice.bench;

import io.sluice.runtime.BatcherConfig;
import io.sluice.runtime.Backend;
import io.sluice.runtime.InferenceRequest;
import io.sluice.runtime.InferenceResponse;
import io.sluice.runtime.Scheduler;
import io.sluice.runtime.SchedulerListener;
import io.sluice.runtime.Schedulers;
import io.sluice.runtime.Tensor;
import io.sluice.runtime.TensorSpec;
import io.sluice.runtime.Ticker;
import io.sluice.runtime.onnx.OnnxBackend;
import io.sluice.runtime.onnx.OnnxOptions;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * One engine run at batch {@code b} the way the server does it, next to B0's bare call in the
 * same JVM and the same run, so the two scores divide into the P1 ratio (issue 12) without the
 * machine's background load moving between them.
 *
 * <p>{@link #served} enqueues {@code b} batch-1 requests into a real scheduler (dynamic
 * batching, preferred batch size {@code b}, a queue delay long enough that the batch always
 * reaches {@code b}) over one {@link OnnxBackend} instance, and waits for all {@code b}
 * answers: batch assembly into the pooled buffer, the ORT run, the output split and the
 * completions, on the scheduler's instance thread, as in the server. Each request's input is a
 * read-only heap buffer, which is what the gRPC decoder hands over for {@code
 * raw_input_contents}. {@link #bare} is {@link EngineBaselineBenchmark}'s call: one direct input
 * of {@code b} rows straight into the backend on the benchmark thread. What the gateway's
 * network stack costs is deliberately not here; this isolates the runtime's own path.
 *
 * <p>On a shared machine wall time moves with whatever else runs, and the two methods run at
 * different moments; so after every iteration the benchmark also prints the process's CPU time
 * per operation ({@code [cpu] served b=8: ... µs CPU/op}), which preemption does not inflate: the
 * ratio of those two lines is the one to quote from a busy box.
 */
@State(Scope.Benchmark)
public class ServedEngineBenchmark extends SluiceBenchmark {
  private static final int SETUP_RUNS = 3;
  /** Long enough that a batch is never sent before its {@code b} requests are all queued. */
  private static final long QUEUE_DELAY_MICROS = 1_000_000;

  @Param({"heavy_mlp"})
  public String model;

  @Param({"1", "8", "64"})
  public int batch;

  private Backend bareBackend;
  private List<Tensor> bareInputs;
  private Scheduler scheduler;
  private InferenceRequest[] requests;

  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private long ops;
  private long cpuStart;

  @Setup(Level.Trial)
  public void setUp() {
    bareBackend = OnnxBackend.open(BenchModels.find(model), OnnxOptions.ofDefaults());
    TensorSpec spec = bareBackend.signature().inputs().get(0);
    bareInputs = List.of(EngineBaselineBenchmark.randomInput(spec, batch, model.hashCode()));

    Backend served = OnnxBackend.open(BenchModels.find(model), OnnxOptions.ofDefaults());
    BatcherConfig config = BatcherConfig.dynamic(64).toBuilder()
        .preferredBatchSizes(List.of(batch))
        .maxQueueDelayMicros(QUEUE_DELAY_MICROS)
        .build();
    scheduler = Schedulers.create(
        "bench", config, List.of(served), Ticker.SYSTEM, SchedulerListener.NOOP);
    // The same rows as the bare input, one per request, each in its own read-only heap buffer.
    ByteBuffer all = bareInputs.get(0).data();
    int rowBytes = all.remaining() / batch;
    long[] shape = bareInputs.get(0).shape();
    shape[0] = 1;
    requests = new InferenceRequest[batch];
    for (int i = 0; i < batch; i++) {
      ByteBuffer row = ByteBuffer.allocate(rowBytes).order(ByteOrder.LITTLE_ENDIAN);
      row.put(all.slice(i * rowBytes, rowBytes)).flip();
      requests[i] = InferenceRequest.of(
          List.of(Tensor.of(spec.name(), spec.type(), shape, row.asReadOnlyBuffer()
              .order(ByteOrder.LITTLE_ENDIAN))));
    }
    for (int i = 0; i < SETUP_RUNS; i++) {
      bare();
      int formed = served();
      if (formed != batch * batch) {
        throw new IllegalStateException(
            "the scheduler formed batches of " + formed / batch + " (expected: " + batch + ")");
      }
    }
  }

  @Setup(Level.Iteration)
  public void startCounting() {
    ops = 0;
    cpuStart = os.getProcessCpuTime();
  }

  @TearDown(Level.Iteration)
  public void stopCounting(BenchmarkParams params) {
    if (ops > 0) {
      String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
      System.out.printf("%n[cpu] %s b=%d: %.1f µs CPU/op over %d ops%n", method, batch,
          (os.getProcessCpuTime() - cpuStart) / 1e3 / ops, ops);
    }
  }

  /** Sum over the answers of the batch each was run in: b × b when every batch was whole. */
  @Benchmark
  public int served() {
    ops++;
    List<CompletableFuture<InferenceResponse>> futures = new ArrayList<>(batch);
    for (InferenceRequest r : requests) {
      futures.add(scheduler.enqueue(r));
    }
    int formed = 0;
    for (CompletableFuture<InferenceResponse> f : futures) {
      formed += f.join().batchSize();
    }
    return formed;
  }

  @Benchmark
  public List<Tensor> bare() {
    ops++;
    return bareBackend.run(bareInputs, Set.of());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (scheduler != null) {
      scheduler.close();
      scheduler = null;
    }
    if (bareBackend != null) {
      bareBackend.close();
      bareBackend = null;
    }
  }
}
