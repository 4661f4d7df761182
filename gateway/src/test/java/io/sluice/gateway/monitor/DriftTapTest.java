package io.sluice.gateway.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.gateway.core.InferenceEvent;
import io.sluice.gateway.model.LoadedVersion;
import io.sluice.gateway.model.Selection;
import io.sluice.gateway.model.TestVersions;
import io.sluice.gateway.request.RequestContext;
import io.sluice.proto.inference.ModelConfigProto;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelInput;
import io.sluice.proto.inference.ModelConfigProto.ModelOutput;
import io.sluice.proto.inference.ModelConfigProto.ModelParameter;
import io.sluice.runtime.Status;
import io.sluice.runtime.Tensor;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The tap: what it copies, when it drops (and counts), how it samples. */
class DriftTapTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final Clock clock = Clock.fixed(Instant.ofEpochMilli(1234), ZoneOffset.UTC);

  private static ModelConfig config(String sampleRate) {
    ModelConfig.Builder b = ModelConfig.newBuilder().setName("m").setMaxBatchSize(8)
        .addInput(ModelInput.newBuilder().setName("x")
            .setDataType(ModelConfigProto.DataType.TYPE_FP32).addDims(2))
        .addInput(ModelInput.newBuilder().setName("s")
            .setDataType(ModelConfigProto.DataType.TYPE_STRING).addDims(1))
        .addOutput(ModelOutput.newBuilder().setName("y")
            .setDataType(ModelConfigProto.DataType.TYPE_INT64).addDims(1));
    if (sampleRate != null) {
      b.putParameters(DriftTap.SAMPLE_RATE,
          ModelParameter.newBuilder().setStringValue(sampleRate).build());
    }
    return b.build();
  }

  private static InferenceEvent event(LoadedVersion v, Status status) {
    List<Tensor> inputs = List.of(
        Tensor.ofFloats("x", new long[] {2, 2}, 1.5f, -2f, Float.NaN, 4f),
        Tensor.ofStrings("s", new long[] {2, 1}, List.of("red", "")));
    List<Tensor> outputs = List.of(Tensor.ofLongs("y", new long[] {2, 1}, 7, 9));
    return InferenceEvent.builder(v, InferenceEvent.Role.PRIMARY, RequestContext.NONE)
        .inputs(inputs).outputs(status == null ? outputs : List.of()).status(status).build();
  }

  private DriftTap tap(int slots, int slotValues) {
    return new DriftTap(config(slots, slotValues, 0), clock, meters);
  }

  private static DriftConfig config(int slots, int slotValues, double maxRate) {
    return new DriftConfig(true, 1000, 0, 0, 0, 1000, 0.05, 0.1, 0.5, 1000, slots,
        slotValues, maxRate, null, null, null, 300, 3);
  }

  private static ModelConfig withParameter(ModelConfig c, String key, String value) {
    return c.toBuilder()
        .putParameters(key, ModelParameter.newBuilder().setStringValue(value).build()).build();
  }

  private static int drain(DriftTap tap) {
    int n = 0;
    for (TapSlot s; (s = tap.poll()) != null; ) {
      tap.recycle(s);
      n++;
    }
    return n;
  }

  private double unsampled(String reason) {
    return meters.get("sluice_monitor_unsampled").tag("reason", reason).counter().count();
  }

  private double dropped(String reason) {
    return meters.get("sluice_monitor_dropped").tag("reason", reason).counter().count();
  }

  @Test
  void copiesEveryColumnOfEveryRowIntoItsOwnSlot() {
    DriftTap tap = tap(4, 64);
    LoadedVersion v = TestVersions.of("m", 1, config(null));
    tap.onInference(event(v, null));
    TapSlot slot = tap.poll();
    assertThat(slot.version).isSameAs(v);
    assertThat(slot.rows).isEqualTo(2);
    assertThat(slot.epochMillis).isEqualTo(1234);
    assertThat(slot.tensorRows).startsWith(2, 2, 2);
    assertThat(Double.longBitsToDouble(slot.values[0])).isEqualTo(1.5);
    assertThat(Double.longBitsToDouble(slot.values[1])).isEqualTo(-2.0);
    assertThat(Double.longBitsToDouble(slot.values[2])).isNaN();
    assertThat(slot.values[4]).isEqualTo(ColumnMonitor.categoryHash("red"));
    assertThat(slot.values[5]).as("an empty string is missing").isZero();
    assertThat(Double.longBitsToDouble(slot.values[7])).isEqualTo(9.0);
    assertThat(tap.poll()).isNull();
  }

  @Test
  void aQuarterOfTheSlotsWaitingAsksTheMonitorForAnEarlyStep() {
    AtomicInteger asked = new AtomicInteger();
    DriftTap tap = new DriftTap(config(8, 64, 0), clock, meters, DriftTap::rateLimiter,
        asked::incrementAndGet);
    LoadedVersion v = TestVersions.of("m", 1, config(null));
    tap.onInference(event(v, null));
    assertThat(asked).as("one slot of 8 waiting").hasValue(0);
    tap.onInference(event(v, null));
    assertThat(asked).as("two of 8 waiting").hasValue(1);
    tap.onInference(event(v, null));
    assertThat(asked).as("still backed up: asked again").hasValue(2);
    assertThat(drain(tap)).isEqualTo(3);
    tap.onInference(event(v, null));
    assertThat(asked).as("drained: one waiting again").hasValue(2);
  }

  @Test
  void aShadowRunIsTappedWithItsRoleAndThePrimarysRoute() {
    DriftTap tap = tap(4, 64);
    LoadedVersion v = TestVersions.of("m", 2, config(null));
    InferenceEvent e = event(v, null);
    tap.onInference(InferenceEvent.builder(v, InferenceEvent.Role.SHADOW,
        RequestContext.ofId("req-7")).inputs(e.inputs()).outputs(e.outputs())
        .route(Selection.Route.CANARY).build());
    TapSlot slot = tap.poll();
    assertThat(slot.version).isSameAs(v);
    assertThat(slot.shadow).isTrue();
    assertThat(slot.route).isEqualTo(Selection.Route.CANARY);
    assertThat(slot.requestId).isEqualTo("req-7");
    assertThat(slot.rows).isEqualTo(2);
  }

  @Test
  void failedInferencesAreNotTapped() {
    DriftTap tap = tap(4, 64);
    tap.onInference(event(TestVersions.of("m", 1, config(null)), Status.internal("boom")));
    assertThat(tap.poll()).isNull();
  }

  @Test
  void withEverySlotInUseARequestIsDroppedAndCounted() {
    DriftTap tap = tap(2, 64);
    LoadedVersion v = TestVersions.of("m", 1, config(null));
    for (int i = 0; i < 5; i++) {
      tap.onInference(event(v, null));
    }
    assertThat(dropped("queue_full")).isEqualTo(3);
    TapSlot first = tap.poll();
    tap.recycle(first);
    tap.onInference(event(v, null));
    assertThat(dropped("queue_full")).as("a recycled slot is used again").isEqualTo(3);
  }

  @Test
  void aRequestLargerThanASlotIsDroppedAndCounted() {
    DriftTap tap = tap(2, 7);
    tap.onInference(event(TestVersions.of("m", 1, config(null)), null));
    assertThat(tap.poll()).isNull();
    assertThat(dropped("too_large")).isEqualTo(1);
  }

  @Test
  void aSampleRateKeepsExactlyThatShareOfRequests() {
    DriftTap tap = tap(64, 64);
    LoadedVersion v = TestVersions.of("m", 1, config("0.25"));
    for (int i = 0; i < 40; i++) {
      tap.onInference(event(v, null));
    }
    int kept = 0;
    for (TapSlot s; (s = tap.poll()) != null; ) {
      kept++;
    }
    assertThat(kept).isEqualTo(10);
  }

  @Test
  void sampledOutRequestsAreCounted() {
    DriftTap tap = tap(64, 64);
    LoadedVersion v = TestVersions.of("m", 1, config("0.25"));
    for (int i = 0; i < 40; i++) {
      tap.onInference(event(v, null));
    }
    assertThat(drain(tap)).isEqualTo(10);
    assertThat(unsampled("sample_rate")).isEqualTo(30);
    assertThat(unsampled("max_rate")).isZero();
  }

  @Test
  void aRequestOverTheVersionsBudgetIsLeftOutAndCounted() {
    // A budget that holds three permits: each version gets its own, for the rate it asked for.
    List<Double> asked = new CopyOnWriteArrayList<>();
    DriftTap tap = new DriftTap(config(64, 64, 50), clock, meters, rate -> {
      asked.add(rate);
      AtomicInteger left = new AtomicInteger(3);
      return () -> left.getAndDecrement() > 0;
    }, () -> { });
    LoadedVersion v1 = TestVersions.of("m", 1, config(null));
    LoadedVersion v2 = TestVersions.of("m", 2, config(null));
    for (int i = 0; i < 10; i++) {
      tap.onInference(event(v1, null));
      tap.onInference(event(v2, null));
    }
    assertThat(drain(tap)).as("three of each version's ten").isEqualTo(6);
    assertThat(unsampled("max_rate")).isEqualTo(14);
    assertThat(asked).containsExactly(50.0, 50.0);
  }

  @Test
  void aModelsMaxRateParameterOverridesTheServersAndZeroMeansEveryRequest() {
    List<Double> asked = new CopyOnWriteArrayList<>();
    DriftTap tap = new DriftTap(config(64, 64, 50), clock, meters, rate -> {
      asked.add(rate);
      return () -> false;
    }, () -> { });
    LoadedVersion own = TestVersions.of("m", 1,
        withParameter(config(null), DriftTap.MAX_RATE, " 7.5 "));
    LoadedVersion unlimited = TestVersions.of("m", 2,
        withParameter(config(null), DriftTap.MAX_RATE, "0"));
    for (int i = 0; i < 5; i++) {
      tap.onInference(event(own, null));
      tap.onInference(event(unlimited, null));
    }
    assertThat(asked).containsExactly(7.5);
    assertThat(drain(tap)).as("only the unlimited version's").isEqualTo(5);
    assertThat(unsampled("max_rate")).isEqualTo(5);
  }

  @Test
  void guavasLimiterHoldsAVersionToItsRateWithoutWaiting() {
    DriftTap tap = new DriftTap(config(64, 64, 20), clock, meters);
    LoadedVersion v = TestVersions.of("m", 1, config(null));
    long start = System.nanoTime();
    int kept = 0;
    for (int i = 0; i < 2_000; i++) {
      tap.onInference(event(v, null));
      kept += drain(tap);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    // At 20 a second, the first permit at once and the rest one per 50 ms of the loop's time.
    assertThat(kept).isBetween(1, 2 + (int) Math.ceil(seconds * 20));
    assertThat(unsampled("max_rate")).isEqualTo(2_000 - kept);
  }

  @Test
  void halfPrecisionBitsConvertToTheirFloat() {
    assertThat(DriftTap.halfToFloat((short) 0x3c00)).isEqualTo(1.0f);
    assertThat(DriftTap.halfToFloat((short) 0xc000)).isEqualTo(-2.0f);
    assertThat(DriftTap.halfToFloat((short) 0x0001)).isEqualTo(5.9604645e-8f);
    assertThat(DriftTap.halfToFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
  }
}
