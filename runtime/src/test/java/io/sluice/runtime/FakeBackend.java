package io.sluice.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A backend that echoes: output {@code out_<name>} is a fresh copy of input {@code <name>}. It
 * records every batch it gets, can hold its next run until the test opens a {@link Gate} (so the
 * queue fills deterministically), can fail its next run, and can move a fake ticker while it
 * "computes".
 */
final class FakeBackend implements Backend {
  record Batch(List<Tensor> inputs, Set<String> outputs, String thread) {
    Tensor input(String name) {
      return inputs.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }
  }

  /** Holds one run: {@link #awaitEntered()} then {@link #open()}. */
  static final class Gate {
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch open = new CountDownLatch(1);

    void awaitEntered() throws InterruptedException {
      if (!entered.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("the backend was never called");
      }
    }

    boolean entered() {
      return entered.getCount() == 0;
    }

    void open() {
      open.countDown();
    }
  }

  final List<Batch> batches = new CopyOnWriteArrayList<>();
  private final ModelSignature signature;
  private final AtomicReference<Gate> gate = new AtomicReference<>();
  private final Map<Integer, RuntimeException> failures = new ConcurrentHashMap<>();
  private final Map<Integer, List<Tensor>> fixedOutputs = new ConcurrentHashMap<>();
  private volatile FakeTicker ticker;
  private volatile Duration computeTime = Duration.ZERO;
  volatile boolean closed;

  FakeBackend(ModelSignature signature) {
    this.signature = signature;
  }

  /** One FP32 input {@code x} of shape [-1, 2]. */
  static FakeBackend fp32() {
    return new FakeBackend(new ModelSignature(
        List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, 2})),
        List.of(new TensorSpec("out_x", DataType.FP32, new long[] {-1, 2}))));
  }

  /** Inputs and outputs named as given, all FP32 [-1, 2]. */
  static FakeBackend withOutputs(String input, String... outputs) {
    List<TensorSpec> outs = new ArrayList<>();
    for (String o : outputs) {
      outs.add(new TensorSpec(o, DataType.FP32, new long[] {-1, 2}));
    }
    return new FakeBackend(new ModelSignature(
        List.of(new TensorSpec(input, DataType.FP32, new long[] {-1, 2})), outs));
  }

  Gate holdNextRun() {
    Gate g = new Gate();
    gate.set(g);
    return g;
  }

  /** Makes run number {@code ordinal} (0 for the first) throw {@code e}. */
  void failRun(int ordinal, RuntimeException e) {
    failures.put(ordinal, e);
  }

  void takeTime(FakeTicker ticker, Duration d) {
    this.ticker = ticker;
    this.computeTime = d;
  }

  /** Makes run number {@code ordinal} return {@code outputs} instead of echoing. */
  void returnOnRun(int ordinal, List<Tensor> outputs) {
    fixedOutputs.put(ordinal, outputs);
  }

  @Override
  public ModelSignature signature() {
    return signature;
  }

  @Override
  public List<Tensor> run(List<Tensor> inputs, Set<String> outputs) {
    int ordinal;
    synchronized (batches) {
      ordinal = batches.size();
      batches.add(new Batch(inputs, outputs, Thread.currentThread().getName()));
    }
    Gate g = gate.getAndSet(null);
    if (g != null) {
      g.entered.countDown();
      try {
        if (!g.open.await(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("gate never opened");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    if (ticker != null) {
      ticker.advance(computeTime);
    }
    RuntimeException e = failures.remove(ordinal);
    if (e != null) {
      throw e;
    }
    List<Tensor> fixed = fixedOutputs.remove(ordinal);
    if (fixed != null) {
      return fixed;
    }
    List<Tensor> out = new ArrayList<>();
    for (TensorSpec spec : signature.outputs()) {
      if (!outputs.isEmpty() && !outputs.contains(spec.name())) {
        continue;
      }
      String source =
          spec.name().startsWith("out_") ? spec.name().substring(4) : inputs.get(0).name();
      Tensor in = inputs.stream().filter(t -> t.name().equals(source)).findFirst().orElseThrow();
      ByteBuffer copy = ByteBuffer.allocate(in.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
      copy.put(in.data()).flip();
      out.add(Tensor.of(spec.name(), in.type(), in.shape(), copy));
    }
    return out;
  }

  @Override
  public void close() {
    closed = true;
  }
}
