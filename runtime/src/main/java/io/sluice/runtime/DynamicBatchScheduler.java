package io.sluice.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The queue in front of one model version's instances, with batching on or off: Triton's dynamic
 * batcher, and with batching off its default scheduler, one class for both.
 *
 * <p>One lock guards the {@link RequestQueue}; {@link #enqueue} validates the request outside it,
 * then holds it only to append and signal, so callers (event loops) never wait on an execution.
 * Each backend instance has its own thread, and a free thread forms its next batch itself under
 * the lock with the {@link BatchFormer}, taking it from the front of the queue when it is ready
 * to send, or waiting on the condition until the batch's queue delay runs out or the queue
 * changes. All decisions read the injected {@link Ticker}; the condition wait is only bounded by
 * the remaining time, so tests move a fake ticker and call {@link #wakeUp()}. Futures are never
 * completed under the lock (a completion may run a caller's callback that enqueues again): the
 * walk hands dropped requests out, and the batch is run by a {@link BatchExecutor} after
 * unlocking. {@link #close()} stops admission, lets the threads send what is queued without
 * waiting for batches to grow, joins them and closes the backends.
 */
final class DynamicBatchScheduler implements Scheduler {
  private final BatcherConfig config;
  private final List<Backend> backends;
  private final Ticker ticker;
  private final SchedulerListener listener;
  private final BatchFormer former;
  private final CompletionSequencer completions;
  private final BufferPool pool;
  private final ModelSignature signature;
  private final int levelCount;
  private final int defaultLevel;
  private final boolean batchDimension;
  private final Thread[] threads;
  private final ServiceTime serviceTime = new ServiceTime();
  private final long maxQueueTimeNanos;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  // @GuardedBy("lock")
  private final RequestQueue queue;
  // @GuardedBy("lock")
  private long nextSequence;
  // @GuardedBy("lock")
  private boolean closed;
  // @GuardedBy("lock")
  private boolean backendsClosed;
  /** The queue's size, published after every change under the lock, read without it. */
  private volatile int pending;
  /** Callbacks waiting for the queue to empty ({@link #whenEmpty}); each is run once. */
  private final ConcurrentLinkedQueue<Runnable> emptyWaiters = new ConcurrentLinkedQueue<>();
  /**
   * How many times an instance began to wait (for tests: "it has decided, and not sent");
   * incremented only under the lock, read without it.
   */
  private volatile long waits;

  DynamicBatchScheduler(
      BatcherConfig config, List<Backend> backends, Ticker ticker, SchedulerListener listener,
      ThreadFactory threadFactory) {
    if (backends.isEmpty()) {
      throw new IllegalArgumentException("instances: 0 (expected: > 0)");
    }
    this.config = config;
    this.backends = List.copyOf(backends);
    this.ticker = ticker;
    this.listener = new GuardedListener(listener);
    this.former = new BatchFormer(config);
    this.completions = new CompletionSequencer(config.preserveOrdering());
    this.pool = new BufferPool(this.backends.size() * 2);
    this.signature = this.backends.get(0).signature();
    this.levelCount = Math.max(config.priorityLevels(), 1);
    // Triton requires 1..levels; a 0 from an incomplete config means "lowest priority".
    this.defaultLevel =
        config.priorityLevels() == 0
            ? 1
            : config.defaultPriorityLevel() == 0 ? levelCount : config.defaultPriorityLevel();
    this.batchDimension = config.maxBatchSize() > 0;
    this.maxQueueTimeNanos = TimeUnit.MICROSECONDS.toNanos(config.maxQueueTimeMicros());
    this.queue =
        new RequestQueue(
            levelCount, config.defaultQueuePolicy(), config.priorityQueuePolicies(),
            config.globalMaxQueueSize());
    BatchAssembler assembler = new BatchAssembler(pool);
    AtomicLong executions = new AtomicLong();
    this.threads = new Thread[this.backends.size()];
    for (int i = 0; i < threads.length; i++) {
      BatchExecutor executor =
          new BatchExecutor(
              this.backends.get(i), assembler, ticker, this.listener, completions, executions);
      threads[i] = threadFactory.newThread(() -> serve(executor));
    }
  }

  /** Starts the instance threads; called once by {@link Schedulers}. */
  DynamicBatchScheduler start() {
    for (Thread t : threads) {
      t.start();
    }
    return this;
  }

  @Override
  public CompletableFuture<InferenceResponse> enqueue(InferenceRequest request) {
    CompletableFuture<InferenceResponse> future = new CompletableFuture<>();
    PendingRequest p = admit(request, future);
    String dropReason;
    Status dropStatus;
    lock.lock();
    try {
      if (closed) {
        dropReason = "shutdown";
        dropStatus = Status.unavailable("model is unloading");
      } else if ((dropStatus = shed(p)) != null) {
        dropReason = "shed";
      } else if (!queue.offer(p)) {
        dropReason = "queue_full";
        dropStatus = Status.overloaded(
            "queue full: priority level " + p.level + " already holds " + queue.capacity(p.level)
                + " requests (max_queue_size: " + queue.capacity(p.level) + ")",
            TimeUnit.NANOSECONDS.toMillis(serviceTime.estimateNanos(queue.items(), threads.length)));
      } else {
        p.sequence = nextSequence++;
        pending = queue.size();
        changed.signalAll();
        return future;
      }
    } finally {
      lock.unlock();
    }
    listener.onDropped(dropReason);
    future.completeExceptionally(dropStatus.asException());
    return future;
  }

  /**
   * Load shedding at the door: null when {@code p} may wait, else why it is refused at once,
   * because the work already queued would keep it from starting within the max queue time or
   * before its deadline. Called under the lock.
   */
  private Status shed(PendingRequest p) {
    long wait = serviceTime.estimateNanos(queue.items(), threads.length);
    if (wait == 0) {
      return null;
    }
    long budget = maxQueueTimeNanos == 0 ? Long.MAX_VALUE : maxQueueTimeNanos;
    long deadline = p.request.deadlineNanos();
    boolean byDeadline = false;
    if (deadline != PendingRequest.NONE && deadline - p.enqueueNanos < budget) {
      budget = deadline - p.enqueueNanos;
      byDeadline = true;
    }
    if (wait <= budget) {
      return null;
    }
    long waitMillis = TimeUnit.NANOSECONDS.toMillis(wait);
    return Status.overloaded(
        "overloaded: about " + waitMillis + " ms of work is queued ahead of this request, more than "
            + (byDeadline
                ? "its deadline allows (" + TimeUnit.NANOSECONDS.toMillis(Math.max(0, budget))
                    + " ms)"
                : "the max queue time (" + TimeUnit.NANOSECONDS.toMillis(budget) + " ms)"),
        waitMillis);
  }

  /**
   * Computes what the batcher needs from a request; touches no shared state. The gateway's
   * per-version validator has already checked the request against the model's config (names,
   * types, shapes, batch size, requested outputs, priority); here those rules are assertions,
   * checked in tests, not on the serving path.
   */
  private PendingRequest admit(InferenceRequest request, CompletableFuture<InferenceResponse> f) {
    int priority = request.priority();
    assert priority >= 0 && priority <= levelCount
        : "priority: " + priority + " (expected: 0 for the default, or 1.." + levelCount + ")";
    assert knownOutputs(request) : "unknown output in " + request.requestedOutputs()
        + " (expected one of " + outputNames() + ")";
    int batchSize = batchDimension ? batchSizeOf(request.inputs()) : 1;
    BatchKey key = batchDimension ? BatchKey.of(request.inputs()) : null;
    int level = priority == 0 ? defaultLevel : priority;
    long now = ticker.nanoTime();
    long timeoutMicros = timeoutMicros(queue.policy(level), request.timeoutMicros());
    long timeoutAt =
        timeoutMicros == 0
            ? PendingRequest.NONE
            : saturatedAdd(now, TimeUnit.MICROSECONDS.toNanos(timeoutMicros));
    return new PendingRequest(request, f, level, batchSize, key, now, timeoutAt);
  }

  private boolean knownOutputs(InferenceRequest request) {
    for (String name : request.requestedOutputs()) {
      if (signature.output(name).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** Triton's rule: a request's own timeout applies only where allowed, and only to shorten. */
  static long timeoutMicros(QueuePolicy policy, long requested) {
    long dflt = policy.defaultTimeoutMicros();
    if (policy.allowTimeoutOverride() && requested > 0 && (dflt == 0 || requested < dflt)) {
      return requested;
    }
    return dflt;
  }

  private static long saturatedAdd(long now, long nanos) {
    long sum = now + nanos;
    return (nanos > 0 && sum < now) || sum == PendingRequest.NONE ? PendingRequest.NONE - 1 : sum;
  }

  private int batchSizeOf(List<Tensor> inputs) {
    assert !inputs.isEmpty() : "request has no inputs (expected: at least one)";
    long rows = inputs.get(0).dim(0);
    assert sameBatch(inputs, rows) && rows >= 1 && rows <= config.maxBatchSize()
        : "batch size " + rows + " (expected: 1.." + config.maxBatchSize()
            + " on dimension 0 of every input, the model's max_batch_size)";
    return (int) rows;
  }

  private static boolean sameBatch(List<Tensor> inputs, long rows) {
    for (Tensor t : inputs) {
      if (t.rank() == 0 || t.dim(0) != rows) {
        return false;
      }
    }
    return true;
  }

  private String outputNames() {
    List<String> names = new ArrayList<>();
    for (TensorSpec s : signature.outputs()) {
      names.add(s.name());
    }
    return String.join(", ", names);
  }

  /**
   * One instance thread: form a batch, run it, repeat until closed and drained.
   *
   * <p>It also measures how fast it serves, for load shedding: a batch sent straight after the
   * previous one counts the whole cycle, start to start (batch forming, the completion hand-off
   * and any time the core was taken by an event loop included); a batch followed by a wait
   * counts its own run only.
   */
  private void serve(BatchExecutor executor) {
    List<BatchFormer.Dropped> dropped = new ArrayList<>();
    List<PendingRequest> batch = new ArrayList<>();
    long lastStart = 0;
    long lastEnd = 0;
    int lastItems = 0;
    while (true) {
      long start = 0;
      boolean exit = false;
      int left;
      lock.lock();
      try {
        while (true) {
          long now = ticker.nanoTime();
          BatchFormer.Decision d = former.decide(queue, now, closed, dropped);
          if (d.isSend()) {
            for (int i = 0; i < d.count(); i++) {
              batch.add(queue.poll());
            }
            start = now;
            if (lastItems > 0) {
              serviceTime.record(lastItems, now - lastStart); // back to back: the whole cycle
            }
            if (!queue.isEmpty()) {
              // Another free instance may take what is left while this one runs.
              changed.signalAll();
            }
            break;
          }
          if (!dropped.isEmpty()) {
            break; // complete the drops outside the lock, then decide again
          }
          if (closed && queue.isEmpty()) {
            exit = true;
            break;
          }
          waits++;
          if (lastItems > 0) {
            serviceTime.record(lastItems, lastEnd - lastStart); // then idle: the run alone
            lastItems = 0;
          }
          try {
            if (d.isIdle()) {
              changed.await();
            } else {
              changed.awaitNanos(d.waitNanos());
            }
          } catch (InterruptedException e) {
            // Instance threads stop through close(), never by interruption; decide again.
          }
        }
        left = queue.size();
        pending = left;
      } finally {
        lock.unlock();
      }
      if (left == 0 && !emptyWaiters.isEmpty()) {
        runEmptyWaiters();
      }
      for (BatchFormer.Dropped d : dropped) {
        listener.onDropped(d.reason());
        StatusException e = d.status().asException();
        PendingRequest p = d.request();
        completions.complete(p.sequence, () -> p.future.completeExceptionally(e));
      }
      dropped.clear();
      if (!batch.isEmpty()) {
        int items = 0;
        for (int i = 0, n = batch.size(); i < n; i++) {
          items += batch.get(i).batchSize;
        }
        executor.execute(List.copyOf(batch), start);
        batch.clear();
        lastStart = start;
        lastEnd = ticker.nanoTime();
        lastItems = items;
      }
      if (exit) {
        return;
      }
    }
  }

  @Override
  public int pendingCount() {
    return pending;
  }

  @Override
  public void whenEmpty(Runnable callback) {
    emptyWaiters.add(callback);
    // Added before pending is read: an instance that empties the queue after this read finds it.
    if (pending == 0) {
      runEmptyWaiters();
    }
  }

  /** Each waiter once: poll hands it to exactly one of the threads that may get here together. */
  private void runEmptyWaiters() {
    Runnable r;
    while ((r = emptyWaiters.poll()) != null) {
      r.run();
    }
  }

  /** Whether {@link #close()} has begun: new requests are refused. */
  boolean isClosing() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  /** How many times an instance thread has begun to wait on the queue (for tests). */
  long waits() {
    return waits;
  }

  /** Makes waiting instance threads decide again (tests call it after moving a fake ticker). */
  void wakeUp() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Completions held back by preserve_ordering (for tests). */
  int completionsParked() {
    return completions.parkedCount();
  }

  /** The pool of batch input buffers (for tests). */
  BufferPool bufferPool() {
    return pool;
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    boolean interrupted = false;
    for (Thread t : threads) {
      if (t == Thread.currentThread()) {
        continue; // closed from a completion callback: this thread exits after its batch
      }
      while (t.isAlive()) {
        try {
          t.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    boolean closeBackends;
    lock.lock();
    try {
      closeBackends = !backendsClosed;
      backendsClosed = true;
    } finally {
      lock.unlock();
    }
    if (closeBackends) {
      for (Backend b : backends) {
        b.close();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "DynamicBatchScheduler{instances=" + threads.length + ", pending=" + pending + "}";
  }
}
