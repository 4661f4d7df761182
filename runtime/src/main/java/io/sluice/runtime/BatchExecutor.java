package io.sluice.runtime;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Executes one batch on one backend instance and completes its requests: assemble the inputs,
 * run the backend on the union of the requested outputs, release the pooled input buffers (the
 * one place they are released), split the outputs per request and complete each future through
 * the {@link CompletionSequencer}. The four phases are timed on the scheduler's {@link Ticker}
 * and reported both to the listener and in every response. Any failure (assembly, backend,
 * split) fails every request of the batch with its {@link Status}, an unexpected exception
 * becoming INTERNAL, and returns normally, so the instance thread goes on to the next batch.
 */
final class BatchExecutor {
  private final Backend backend;
  private final BatchAssembler assembler;
  private final Ticker ticker;
  private final SchedulerListener listener;
  private final CompletionSequencer completions;
  private final AtomicLong executions;

  /** @param executions numbers the executions of all of a scheduler's instances */
  BatchExecutor(
      Backend backend, BatchAssembler assembler, Ticker ticker, SchedulerListener listener,
      CompletionSequencer completions, AtomicLong executions) {
    this.executions = executions;
    this.backend = backend;
    this.assembler = assembler;
    this.ticker = ticker;
    this.listener = listener;
    this.completions = completions;
  }

  /**
   * @param batch the requests, in queue order
   * @param startNanos when the batch left the queue
   */
  void execute(List<PendingRequest> batch, long startNanos) {
    int batchSize = 0;
    for (PendingRequest p : batch) {
      batchSize += p.batchSize;
    }
    List<List<Tensor>> outputs;
    long inputDone;
    long inferDone;
    long outputDone;
    try {
      List<Tensor> results;
      try (BatchAssembler.Inputs inputs = assembler.assemble(batch)) {
        inputDone = ticker.nanoTime();
        results = backend.run(inputs.tensors(), requestedOutputs(batch));
        inferDone = ticker.nanoTime();
      }
      outputs = OutputSplitter.split(results, batch);
      outputDone = ticker.nanoTime();
    } catch (Throwable t) {
      // Whatever went wrong (an OutOfMemoryError on a huge batch included) belongs to this batch
      // only: a dead instance thread would strand every request queued behind it.
      StatusException failure = Status.fromThrowable(t).asException();
      for (PendingRequest p : batch) {
        completions.complete(p.sequence, () -> p.future.completeExceptionally(failure));
      }
      return;
    }

    long computeInput = inputDone - startNanos;
    long computeInfer = inferDone - inputDone;
    long computeOutput = outputDone - inferDone;
    // Counted before any answer is released, so a client that reads the statistics after its
    // answer always finds its own execution in them.
    listener.onExecution(batchSize, batch.size(), computeInput, computeInfer, computeOutput);
    InferenceResponse.Execution execution =
        new InferenceResponse.Execution(
            executions.incrementAndGet(), batchSize, batch.size(), startNanos);
    for (int i = 0; i < batch.size(); i++) {
      PendingRequest p = batch.get(i);
      InferenceResponse response =
          new InferenceResponse(
              outputs.get(i), batchSize, startNanos - p.enqueueNanos, computeInput,
              computeInfer, computeOutput, execution);
      completions.complete(p.sequence, () -> p.future.complete(response));
    }
  }

  /** The union of what the batch asked for; empty (all outputs) if any request wants all. */
  private static Set<String> requestedOutputs(List<PendingRequest> batch) {
    if (batch.size() == 1) {
      return batch.get(0).request.requestedOutputs();
    }
    Set<String> union = new HashSet<>();
    for (PendingRequest p : batch) {
      Set<String> wanted = p.request.requestedOutputs();
      if (wanted.isEmpty()) {
        return Set.of();
      }
      union.addAll(wanted);
    }
    return union;
  }
}

