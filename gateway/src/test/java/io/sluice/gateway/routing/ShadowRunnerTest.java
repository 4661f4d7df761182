package io.sluice.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.gateway.core.InferenceEvent;
import io.sluice.gateway.core.V2InferRequest;
import io.sluice.gateway.model.LoadedVersion;
import io.sluice.gateway.model.Selection;
import io.sluice.gateway.model.TestVersions;
import io.sluice.proto.inference.ModelConfigProto;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelInput;
import io.sluice.proto.inference.ModelConfigProto.ModelOutput;
import io.sluice.runtime.DataType;
import io.sluice.runtime.InferenceResponse;
import io.sluice.runtime.ModelSignature;
import io.sluice.runtime.Scheduler;
import io.sluice.runtime.Status;
import io.sluice.runtime.Tensor;
import io.sluice.runtime.TensorSpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The shadow runner's events: each shadow run reaches the listeners as a SHADOW event of the
 * shadow version, with the primary's id and route, the copied inputs and the shadow's outputs,
 * while the shadow's lease is still held. Runs on the calling thread (a direct executor) with a
 * fake engine behind the version's scheduler.
 */
class ShadowRunnerTest {
  private static final ModelConfig CONFIG = ModelConfig.newBuilder().setName("m")
      .setMaxBatchSize(8)
      .addInput(ModelInput.newBuilder().setName("x")
          .setDataType(ModelConfigProto.DataType.TYPE_FP32).addDims(2))
      .addOutput(ModelOutput.newBuilder().setName("y")
          .setDataType(ModelConfigProto.DataType.TYPE_FP32).addDims(1))
      .build();
  private static final ModelSignature SIGNATURE = new ModelSignature(
      List.of(new TensorSpec("x", DataType.FP32, new long[] {-1, 2})),
      List.of(new TensorSpec("y", DataType.FP32, new long[] {-1, 1})));

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<InferenceEvent> events = new ArrayList<>();
  private final List<Long> leasesSeen = new ArrayList<>();

  private static LoadedVersion version(long n,
      Function<List<Tensor>, CompletableFuture<InferenceResponse>> engine) {
    return version(n, engine, new int[1], new ArrayList<>());
  }

  /**
   * {@code pending[0]}: what the version's scheduler reports as waiting; {@code whenEmpty}: where
   * it keeps the callbacks asked for while that is not 0, for the test to run.
   */
  private static LoadedVersion version(long n,
      Function<List<Tensor>, CompletableFuture<InferenceResponse>> engine, int[] pending,
      List<Runnable> whenEmpty) {
    return TestVersions.running("m", n, CONFIG, SIGNATURE, new Scheduler() {
      @Override
      public CompletableFuture<InferenceResponse> enqueue(
          io.sluice.runtime.InferenceRequest request) {
        return engine.apply(request.inputs());
      }

      @Override
      public int pendingCount() {
        return pending[0];
      }

      @Override
      public void whenEmpty(Runnable callback) {
        if (pending[0] == 0) {
          callback.run();
        } else {
          whenEmpty.add(callback);
        }
      }

      @Override
      public void close() {}
    });
  }

  private ShadowRunner runner() {
    long[] now = {0};
    return new ShadowRunner(
        new TrafficTable(meters, Clock.systemUTC(), () -> 0.5, null), new ShadowScores(meters),
        Runnable::run, 16, 4, List.of(e -> {
          events.add(e);
          leasesSeen.add(e.version().inFlight());
        }), () -> now[0] += 1_000);
  }

  private static V2InferRequest request() {
    return V2InferRequest.of("req-1", List.of(Tensor.ofFloats("x", new long[] {1, 2}, 3f, 4f)));
  }

  @Test
  void aShadowRunIsPublishedAsAShadowEventWhileItsLeaseIsHeld() {
    LoadedVersion primary = version(1, in -> CompletableFuture.failedFuture(
        new AssertionError("the primary is not run by the shadow runner")));
    LoadedVersion shadow = version(2, in -> CompletableFuture.completedFuture(
        new InferenceResponse(List.of(Tensor.ofFloats("y", new long[] {1, 1}, 9f)), 1, 50, 1,
            2, 3)));
    V2InferRequest request = request();
    List<Tensor> primaryOutputs = List.of(Tensor.ofFloats("y", new long[] {1, 1}, 7f));
    runner().offer(new Selection(primary, List.of(shadow), Selection.Route.CANARY, null),
        request, primaryOutputs);

    assertThat(events).hasSize(1);
    InferenceEvent e = events.get(0);
    assertThat(e.role()).isEqualTo(InferenceEvent.Role.SHADOW);
    assertThat(e.version()).isSameAs(shadow);
    assertThat(e.context().id()).isEqualTo("req-1");
    assertThat(e.route()).isEqualTo(Selection.Route.CANARY);
    assertThat(e.succeeded()).isTrue();
    assertThat(e.inputs()).hasSize(1);
    assertThat(e.inputs().get(0).data())
        .as("the runner's own copy of the inputs, equal to the request's")
        .isEqualTo(request.inputs().get(0).data());
    assertThat(e.inputs().get(0)).isNotSameAs(request.inputs().get(0));
    assertThat(e.outputs().get(0).data().getFloat(0)).isEqualTo(9f);
    assertThat(e.queueNanos()).isEqualTo(50);
    assertThat(e.totalNanos()).isEqualTo(1_000);
    assertThat(leasesSeen).containsExactly(1L);
    assertThat(shadow.inFlight()).isZero();
  }

  @Test
  void aFailedShadowRunIsPublishedWithItsStatus() {
    LoadedVersion primary = version(1, in -> CompletableFuture.failedFuture(
        new AssertionError("not run")));
    LoadedVersion shadow = version(2, in -> CompletableFuture.failedFuture(
        Status.internal("engine down").asException()));
    runner().offer(new Selection(primary, List.of(shadow), Selection.Route.STABLE, null),
        request(), List.of(Tensor.ofFloats("y", new long[] {1, 1}, 7f)));

    assertThat(events).hasSize(1);
    assertThat(events.get(0).succeeded()).isFalse();
    assertThat(events.get(0).status().code()).isEqualTo(Status.Code.INTERNAL);
    assertThat(events.get(0).outputs()).isEmpty();
    assertThat(shadow.inFlight()).isZero();
  }

  @Test
  void aShadowWaitsWhileThePrimaryHasRequestsQueuedAndRunsWhenItsQueueEmpties() {
    int[] pending = {3};
    List<Runnable> whenEmpty = new ArrayList<>();
    LoadedVersion primary = version(1, in -> CompletableFuture.failedFuture(
        new AssertionError("not run")), pending, whenEmpty);
    LoadedVersion shadow = version(2, in -> CompletableFuture.completedFuture(
        new InferenceResponse(List.of(Tensor.ofFloats("y", new long[] {1, 1}, 7f)), 1, 0, 0,
            0, 0)));
    ShadowRunner runner = runner();
    Selection selection = new Selection(primary, List.of(shadow), Selection.Route.STABLE, null);
    runner.offer(selection, request(), List.of(Tensor.ofFloats("y", new long[] {1, 1}, 7f)));
    assertThat(events).as("held while the primary has work waiting").isEmpty();
    assertThat(whenEmpty).as("the runner asked to be told when the queue empties").hasSize(1);

    runner.offer(selection, request(), List.of(Tensor.ofFloats("y", new long[] {1, 1}, 7f)));
    assertThat(events).as("still busy").isEmpty();
    assertThat(whenEmpty).as("one wait at a time").hasSize(1);

    pending[0] = 0;
    whenEmpty.remove(0).run();
    assertThat(events).as("both copies run once the signal came").hasSize(2);
    assertThat(events.get(0).version()).isSameAs(shadow);
    assertThat(whenEmpty).isEmpty();
    assertThat(meters.find("sluice_shadow_dropped").counters()).allSatisfy(
        c -> assertThat(c.count()).isZero());
  }

  @Test
  void copiesThatCannotRunWhileThePrimaryStaysBusyAreDroppedAndCounted() {
    int[] pending = {1};
    LoadedVersion primary = version(1, in -> CompletableFuture.failedFuture(
        new AssertionError("not run")), pending, new ArrayList<>());
    LoadedVersion shadow = version(2, in -> CompletableFuture.failedFuture(
        new AssertionError("not run while the primary is busy")));
    ShadowRunner runner = runner();
    Selection selection = new Selection(primary, List.of(shadow), Selection.Route.STABLE, null);
    for (int i = 0; i < 20; i++) {
      runner.offer(selection, request(), List.of(Tensor.ofFloats("y", new long[] {1, 1}, 7f)));
    }

    assertThat(events).isEmpty();
    assertThat(meters.get("sluice_shadow_dropped").tags("model", "m", "reason", "queue_full")
        .counter().count()).as("20 offered, 16 waiting in the bounded queue").isEqualTo(4);
  }
}
