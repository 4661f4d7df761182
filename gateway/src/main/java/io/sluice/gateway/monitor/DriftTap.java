package io.sluice.gateway.monitor;

import com.google.common.util.concurrent.RateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.gateway.core.InferenceEvent;
import io.sluice.gateway.core.InferenceListener;
import io.sluice.gateway.model.LoadedVersion;
import io.sluice.gateway.monitor.ColumnLayout.TensorColumns;
import io.sluice.proto.inference.ModelConfigProto.ModelParameter;
import io.sluice.runtime.Tensor;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleFunction;
import org.jctools.queues.MpscArrayQueue;
import org.jctools.queues.SpmcArrayQueue;

/**
 * The request-path half of the monitor: an {@link InferenceListener} that copies each sampled,
 * successful inference's input and output values into a preallocated {@link TapSlot} and hands
 * it to the monitor thread. It never waits: slots come from a bounded lock-free free list
 * (JCTools {@code SpmcArrayQueue}: many event loops take, the monitor thread returns) and go to a
 * bounded lock-free queue (JCTools {@code MpscArrayQueue}); when no slot is free, or a request
 * is larger than a slot, the request is dropped and counted in {@code
 * sluice_monitor_dropped_total{reason}}. Per request it allocates nothing: it reads the tensors
 * with {@link Tensor}'s absolute reads, not through a view of their bytes.
 *
 * <p>Sampling is per model, from the config's {@code parameters} key {@value #SAMPLE_RATE}: a
 * rate r keeps request k when ⌊(k+1)r⌋ &gt; ⌊kr⌋, deterministic and exact over any run. Then a
 * per-version budget of records per second ({@link DriftConfig#maxRate}, or the model's {@value
 * #MAX_RATE}; 0 for none): below it every sampled request is monitored, above it the monitor
 * takes that many a second, so its cost at saturation is bounded however fast the model answers.
 * Requests left out either way are counted in {@code sluice_monitor_unsampled_total{reason}}.
 */
final class DriftTap implements InferenceListener {
  static final String SAMPLE_RATE = "sluice.drift.sample_rate";
  static final String MAX_RATE = "sluice.drift.max_rate";

  private final SpmcArrayQueue<TapSlot> free;
  private final MpscArrayQueue<TapSlot> filled;
  private final Map<LoadedVersion, Plan> plans = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Counter droppedFull;
  private final Counter droppedLarge;
  private final Counter unsampledRate;
  private final Counter unsampledBudget;
  private final int slotValues;
  private final double maxRate;
  private final DoubleFunction<BooleanSupplier> budgets;
  /** Filled slots at which {@link #backlog} runs: a quarter of them. */
  private final int backlogAt;
  private final Runnable backlog;

  /** A tap whose per-version budgets are Guava {@link RateLimiter}s (lock-held, no allocation). */
  DriftTap(DriftConfig config, Clock clock, MeterRegistry meters) {
    this(config, clock, meters, DriftTap::rateLimiter, () -> { });
  }

  /**
   * @param budgets a version's budget for a rate in records per second: true while a request
   *     fits it (called from any event loop, so it must be thread-safe and never wait)
   * @param backlog run on the request path when a quarter of the slots wait for the monitor
   *     thread: it asks that thread for an early step (it must never wait), so that a monitor
   *     that wakes seldom still keeps slots free under a burst
   */
  DriftTap(DriftConfig config, Clock clock, MeterRegistry meters,
      DoubleFunction<BooleanSupplier> budgets, Runnable backlog) {
    this.clock = clock;
    this.backlog = backlog;
    this.backlogAt = Math.max(1, config.queueSlots() / 4);
    this.maxRate = config.maxRate();
    this.budgets = budgets;
    this.slotValues = config.slotValues();
    int slots = config.queueSlots();
    this.free = new SpmcArrayQueue<>(slots);
    this.filled = new MpscArrayQueue<>(slots);
    for (int i = 0; i < slots && free.offer(new TapSlot(slotValues, Plan.MAX_TENSORS)); i++) {
      // the free list's capacity rounds up to a power of two; only `slots` slots exist
    }
    this.droppedFull = Counter.builder("sluice_monitor_dropped")
        .description("inferences the drift monitor did not see").tag("reason", "queue_full")
        .register(meters);
    this.droppedLarge = Counter.builder("sluice_monitor_dropped")
        .description("inferences the drift monitor did not see").tag("reason", "too_large")
        .register(meters);
    this.unsampledRate = unsampled(meters, "sample_rate");
    this.unsampledBudget = unsampled(meters, "max_rate");
  }

  /** A Guava {@link RateLimiter} as a version's budget: lock-held briefly, no allocation. */
  static BooleanSupplier rateLimiter(double recordsPerSecond) {
    return RateLimiter.create(recordsPerSecond)::tryAcquire;
  }

  private static Counter unsampled(MeterRegistry meters, String reason) {
    return Counter.builder("sluice_monitor_unsampled")
        .description("successful inferences left out by sampling (sample_rate) or by the"
            + " per-version budget of records per second (max_rate)")
        .tag("reason", reason).register(meters);
  }

  /** What the tap copies for one version, worked out once from its config. */
  static final class Plan {
    static final int MAX_TENSORS = 16;
    final ColumnLayout layout;
    final double sampleRate;
    /** True while a request fits the version's records-per-second budget; null for none. */
    final BooleanSupplier budget;
    final AtomicLong seen = new AtomicLong();

    Plan(ColumnLayout layout, double sampleRate, BooleanSupplier budget) {
      this.layout = layout;
      this.sampleRate = sampleRate;
      this.budget = budget;
    }

    static Plan of(LoadedVersion v, double defaultMaxRate,
        DoubleFunction<BooleanSupplier> budgets) {
      ColumnLayout layout = ColumnLayout.of(v.config());
      if (layout.tensors().size() > MAX_TENSORS) {
        layout = new ColumnLayout(layout.tensors().subList(0, MAX_TENSORS));
      }
      double rate = Math.min(1, parameter(v, SAMPLE_RATE, 1));
      double maxRate = parameter(v, MAX_RATE, defaultMaxRate);
      return new Plan(layout, rate, maxRate > 0 ? budgets.apply(maxRate) : null);
    }

    /** A non-negative number from the model's parameters; {@code otherwise} when absent or bad. */
    private static double parameter(LoadedVersion v, String key, double otherwise) {
      ModelParameter p = v.config().getParametersMap().get(key);
      if (p == null) {
        return otherwise;
      }
      try {
        double x = Double.parseDouble(p.getStringValue().strip());
        return Double.isNaN(x) ? otherwise : Math.max(0, x);
      } catch (NumberFormatException e) {
        return otherwise;
      }
    }

    boolean sample() {
      if (sampleRate >= 1) {
        return true;
      }
      long k = seen.getAndIncrement();
      return Math.floor((k + 1) * sampleRate) > Math.floor(k * sampleRate);
    }
  }

  @Override
  public void onInference(InferenceEvent event) {
    if (!event.succeeded()) {
      return;
    }
    LoadedVersion version = event.version();
    Plan plan = plans.get(version);
    if (plan == null) {
      plan = plans.computeIfAbsent(version, v -> Plan.of(v, maxRate, budgets));
    }
    if (plan.layout.tensors().isEmpty()) {
      return;
    }
    if (!plan.sample()) {
      unsampledRate.increment();
      return;
    }
    if (plan.budget != null && !plan.budget.getAsBoolean()) {
      unsampledBudget.increment();
      return;
    }
    List<TensorColumns> tensors = plan.layout.tensors();
    int rows = -1;
    long needed = 0;
    for (int i = 0; i < tensors.size(); i++) {
      TensorColumns t = tensors.get(i);
      Tensor tensor = find(t, event);
      if (tensor != null) {
        long elements = tensor.elementCount();
        if (rows < 0) {
          rows = (int) (elements / t.width());
        }
        needed += elements;
      }
    }
    if (rows <= 0) {
      return;
    }
    if (needed > slotValues) {
      droppedLarge.increment();
      return;
    }
    TapSlot slot = free.poll();
    if (slot == null) {
      droppedFull.increment();
      return;
    }
    slot.version = version;
    slot.epochMillis = clock.millis();
    slot.rows = rows;
    slot.requestId = event.context().id();
    slot.traceParent = event.context().traceParent();
    slot.latencyNanos = event.totalNanos();
    slot.shadow = event.role() == InferenceEvent.Role.SHADOW;
    slot.route = event.route();
    int at = 0;
    for (int i = 0; i < tensors.size(); i++) {
      TensorColumns t = tensors.get(i);
      Tensor tensor = find(t, event);
      if (tensor == null || tensor.elementCount() != (long) rows * t.width()) {
        slot.tensorRows[i] = -1;
        continue;
      }
      slot.tensorRows[i] = rows;
      at = copy(tensor, slot.values, at);
    }
    filled.offer(slot);
    if (filled.size() >= backlogAt) {
      backlog.run();
    }
  }

  private static Tensor find(TensorColumns t, InferenceEvent event) {
    List<Tensor> list =
        t.role() == ReferenceProfile.Role.INPUT ? event.inputs() : event.outputs();
    for (int i = 0; i < list.size(); i++) {
      Tensor x = list.get(i);
      if (x.name().equals(t.tensor())) {
        return x;
      }
    }
    return null;
  }

  /** Copies every element of {@code tensor} into {@code out} from {@code at}; the new end. */
  static int copy(Tensor tensor, long[] out, int at) {
    int n = (int) tensor.elementCount();
    switch (tensor.type()) {
      case FP32:
        for (int i = 0; i < n; i++) {
          out[at++] = Double.doubleToRawLongBits(tensor.floatAt(i * 4));
        }
        return at;
      case FP64:
        for (int i = 0; i < n; i++) {
          out[at++] = Double.doubleToRawLongBits(tensor.doubleAt(i * 8));
        }
        return at;
      case INT64:
      case UINT64:
        for (int i = 0; i < n; i++) {
          out[at++] = Double.doubleToRawLongBits(tensor.longAt(i * 8));
        }
        return at;
      case INT32:
        for (int i = 0; i < n; i++) {
          out[at++] = Double.doubleToRawLongBits(tensor.intAt(i * 4));
        }
        return at;
      case UINT32:
        for (int i = 0; i < n; i++) {
          out[at++] = Double.doubleToRawLongBits(tensor.intAt(i * 4) & 0xffffffffL);
        }
        return at;
      case INT16:
        for (int i = 0; i < n; i++) {
          out[at++] = Double.doubleToRawLongBits(tensor.shortAt(i * 2));
        }
        return at;
      case UINT16:
        for (int i = 0; i < n; i++) {
          out[at++] = Double.doubleToRawLongBits(tensor.shortAt(i * 2) & 0xffff);
        }
        return at;
      case INT8:
        for (int i = 0; i < n; i++) {
          out[at++] = Double.doubleToRawLongBits(tensor.byteAt(i));
        }
        return at;
      case UINT8:
      case BOOL:
        for (int i = 0; i < n; i++) {
          out[at++] = Double.doubleToRawLongBits(tensor.byteAt(i) & 0xff);
        }
        return at;
      case BF16:
        for (int i = 0; i < n; i++) {
          out[at++] = Double.doubleToRawLongBits(
              Float.intBitsToFloat((tensor.shortAt(i * 2) & 0xffff) << 16));
        }
        return at;
      case FP16:
        for (int i = 0; i < n; i++) {
          out[at++] = Double.doubleToRawLongBits(halfToFloat(tensor.shortAt(i * 2)));
        }
        return at;
      case BYTES:
        int pos = 0;
        for (int i = 0; i < n; i++) {
          int len = tensor.intAt(pos);
          pos += 4;
          long h = ColumnMonitor.Fnv.OFFSET;
          for (int k = 0; k < len; k++) {
            h = ColumnMonitor.Fnv.step(h, tensor.byteAt(pos + k));
          }
          pos += len;
          out[at++] = len == 0 ? 0 : h;
        }
        return at;
      default:
        throw new IllegalStateException("no copy for " + tensor.type());
    }
  }

  /** IEEE 754 half precision to float. */
  static float halfToFloat(short half) {
    int h = half & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      float v = mant / 1024f / 16384f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** The monitor thread's side: filled slots in, free slots back. */
  TapSlot poll() {
    return filled.poll();
  }

  void recycle(TapSlot slot) {
    slot.version = null;
    slot.requestId = null;
    slot.traceParent = null;
    free.offer(slot);
  }

  Plan plan(LoadedVersion v) {
    return plans.get(v);
  }
}
