package io.sluice.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.registry.LocalModelRepository;
import io.sluice.runtime.InferenceRequest;
import io.sluice.runtime.InferenceResponse;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import io.sluice.runtime.Tensor;
import io.sluice.runtime.Ticker;
import io.sluice.runtime.onnx.OnnxBackendProvider;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import io.sluice.gateway.request.RequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The lifecycle against the committed example repositories, with real ONNX Runtime sessions. */
class ModelManagerTest {
  private static final Path EXAMPLES = Path.of("../examples/model_repository");
  private static final Path BROKEN = Path.of("../examples/broken_repository");

  private ModelManager manager;

  private ModelManager open(Path repo) throws Exception {
    return open(repo, java.time.Duration.ofSeconds(30), new SimpleMeterRegistry());
  }

  private ModelManager open(Path repo, java.time.Duration drain, SimpleMeterRegistry meters)
      throws Exception {
    manager =
        new ModelManager(
            LocalModelRepository.open(repo),
            LifecycleConfig.ofDefaults(),
            BackendRegistry.of(new OnnxBackendProvider()),
            meters,
            Clock.systemUTC(),
            Ticker.SYSTEM,
            Executors.newSingleThreadExecutor(),
            drain);
    manager.loadAll().join();
    return manager;
  }

  @AfterEach
  void close() throws Exception {
    if (manager != null) {
      manager.close();
    }
  }

  @Test
  void everyExampleModelLoadsAndTheServerIsReady() throws Exception {
    open(EXAMPLES);

    assertThat(manager.records())
        .extracting(ModelRecord::name)
        .containsExactly("category_encoder", "int_adder", "iris_classifier", "tiny_mlp");
    assertThat(manager.allWantedReady()).isTrue();
    assertThat(manager.record("int_adder").versions().keySet()).containsExactly(1L, 2L);
  }

  @Test
  void emptyVersionMeansTheLatestReadyVersion() throws Exception {
    open(EXAMPLES);

    assertThat(manager.ready("int_adder", "").version()).isEqualTo(2);
    assertThat(manager.ready("int_adder", "1").version()).isEqualTo(1);
  }

  @Test
  void autofilledTinyMlpRunsABatchThroughItsScheduler() throws Exception {
    open(EXAMPLES);
    LoadedVersion v = manager.ready("tiny_mlp", "");
    assertThat(v.config().getMaxBatchSize()).isEqualTo(4);

    InferenceResponse r =
        v.scheduler()
            .enqueue(
                InferenceRequest.of(
                    List.of(Tensor.ofFloats("input", new long[] {2, 32}, new float[64]))))
            .join();

    assertThat(r.outputs()).singleElement().satisfies(t -> assertThat(t.shape()).containsExactly(2, 1));
  }

  @Test
  void brokenModelsAreUnavailableWithTheirReasonAndTheGoodOneServes() throws Exception {
    open(BROKEN);

    assertThat(manager.record("corrupt_model").isFullyReady()).isFalse();
    assertThat(manager.record("corrupt_model").notReadyReason()).isNotBlank();
    assertThat(manager.record("bad_config").problem()).contains("config.pbtxt");
    assertThat(manager.ready("tiny_mlp", "").name()).isEqualTo("tiny_mlp");
    assertThat(manager.allWantedReady()).isFalse();
    assertThat(manager.anyReady()).isTrue();
  }

  @Test
  void unloadedModelIsUnavailableUntilLoadedAgain() throws Exception {
    open(EXAMPLES);

    manager.unload("tiny_mlp").join();
    assertThatThrownBy(() -> manager.ready("tiny_mlp", ""))
        .isInstanceOf(StatusException.class)
        .extracting(e -> ((StatusException) e).status().code())
        .isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(manager.allWantedReady()).isTrue();

    manager.load("tiny_mlp", Optional.empty()).join();
    assertThat(manager.ready("tiny_mlp", "").version()).isEqualTo(1);
  }

  @Test
  void reloadWithAConfigOverridePublishesTheNewConfig() throws Exception {
    open(EXAMPLES);
    LoadedVersion before = manager.ready("tiny_mlp", "");

    manager
        .load("tiny_mlp", Optional.of(ModelConfig.newBuilder().setMaxBatchSize(2).build()))
        .join();

    assertThat(manager.ready("tiny_mlp", "").config().getMaxBatchSize()).isEqualTo(2);
    assertThat(manager.ready("tiny_mlp", "")).isNotSameAs(before);
  }

  @Test
  void anOverrideOverItsLimitsIsRefusedAndTheRunningVersionKeepsServing() throws Exception {
    open(EXAMPLES);
    LoadedVersion before = manager.ready("tiny_mlp", "");
    ModelConfig greedy = ModelConfig.newBuilder()
        .addInstanceGroup(
            io.sluice.proto.inference.ModelConfigProto.ModelInstanceGroup.newBuilder()
                .setCount(200))
        .build();

    assertThatThrownBy(() -> manager.load("tiny_mlp", Optional.of(greedy)).join())
        .isInstanceOf(CompletionException.class)
        .satisfies(e -> assertThat(Status.fromThrowable(e).code())
            .isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("--max-override-instances");
    assertThat(manager.ready("tiny_mlp", "")).isSameAs(before);
    InferenceResponse r = before.scheduler()
        .enqueue(InferenceRequest.of(List.of(Tensor.ofFloats("input", new long[] {1, 32},
            new float[32])))).get(10, TimeUnit.SECONDS);
    assertThat(r.outputs()).isNotEmpty();
  }

  @Test
  void loadingAnUnknownModelFailsWithNotFound() throws Exception {
    open(EXAMPLES);

    assertThatThrownBy(() -> manager.load("nope", Optional.empty()).join())
        .isInstanceOf(CompletionException.class)
        .extracting(e -> Status.fromThrowable(e).code())
        .isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void unknownVersionIsNotFound() throws Exception {
    open(EXAMPLES);

    assertThatThrownBy(() -> manager.ready("int_adder", "7"))
        .isInstanceOf(StatusException.class)
        .extracting(e -> ((StatusException) e).status().code())
        .isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void reloadWithAFailingConfigReportsTheFailureAndKeepsTheOldCopyServing() throws Exception {
    open(EXAMPLES);
    LoadedVersion before = manager.ready("tiny_mlp", "");
    ModelConfig broken =
        ModelConfig.newBuilder()
            .addInput(
                io.sluice.proto.inference.ModelConfigProto.ModelInput.newBuilder()
                    .setName("no_such_input"))
            .build();

    assertThatThrownBy(() -> manager.load("tiny_mlp", Optional.of(broken)).join())
        .isInstanceOf(CompletionException.class)
        .hasMessageContaining("no_such_input");
    assertThat(manager.ready("tiny_mlp", "")).isSameAs(before);
  }

  @Test
  void metersSurviveAReloadAndFollowTheNewQueue() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    manager =
        new ModelManager(
            LocalModelRepository.open(EXAMPLES),
            LifecycleConfig.ofDefaults(),
            BackendRegistry.of(new OnnxBackendProvider()),
            registry,
            Clock.systemUTC(),
            Ticker.SYSTEM,
            Executors.newSingleThreadExecutor(),
            java.time.Duration.ofSeconds(30));
    manager.loadAll().join();

    manager.load("tiny_mlp", Optional.empty()).join();
    System.gc();

    assertThat(registry.get("nv_inference_pending_request_count").tag("model", "tiny_mlp").gauge().value())
        .isZero();
    assertThat(registry.get("nv_inference_request_success").tag("model", "tiny_mlp").counters())
        .hasSize(1);

    manager.unload("tiny_mlp").join();
    assertThat(registry.find("nv_inference_request_success").tag("model", "tiny_mlp").counters())
        .isEmpty();
  }

  private static InferenceRequest tinyBatch() {
    return InferenceRequest.of(
        List.of(Tensor.ofFloats("input", new long[] {1, 32}, new float[32])));
  }

  @Test
  void aReloadWaitsForTheRequestsTheOldVersionAdmittedThenClosesIt() throws Exception {
    open(EXAMPLES);
    LoadedVersion old = manager.acquire("tiny_mlp", "", RequestContext.NONE).primary();

    CompletableFuture<Void> reload = manager.load("tiny_mlp", Optional.empty());
    Awaitility.await().until(() -> manager.ready("tiny_mlp", "") != old);

    // The successor serves new requests; the old version admits none but finishes its own.
    assertThat(old.state()).isEqualTo(VersionState.DRAINING);
    assertThat(old.tryAcquire()).isFalse();
    assertThat(reload).isNotDone();
    InferenceResponse r = old.scheduler().enqueue(tinyBatch()).get(10, TimeUnit.SECONDS);
    assertThat(r.outputs()).isNotEmpty();
    assertThat(old.inFlight()).isEqualTo(1);

    old.release();
    reload.get(10, TimeUnit.SECONDS);
    assertThat(old.state()).isEqualTo(VersionState.UNLOADED);
    assertThat(manager.ready("tiny_mlp", "").state()).isEqualTo(VersionState.READY);
  }

  @Test
  void aRequestThatReadTheOldSnapshotIsAdmittedByItsSuccessor() throws Exception {
    open(EXAMPLES);
    ModelRecord before = manager.record("tiny_mlp");
    manager.load("tiny_mlp", Optional.empty()).get(30, TimeUnit.SECONDS);

    // The snapshot read before the swap names a retired version: acquire reads again.
    assertThat(before.selector().select("", RequestContext.NONE).primary().tryAcquire()).isFalse();
    Selection s = manager.acquire("tiny_mlp", "", RequestContext.NONE);
    assertThat(s.primary()).isSameAs(manager.ready("tiny_mlp", ""));
    s.primary().release();
  }

  @Test
  void aDrainThatTimesOutIsCountedAndTheVersionIsClosedAnyway() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    open(EXAMPLES, java.time.Duration.ofMillis(50), meters);
    LoadedVersion stuck = manager.acquire("tiny_mlp", "", RequestContext.NONE).primary();

    manager.load("tiny_mlp", Optional.empty()).get(30, TimeUnit.SECONDS);

    assertThat(stuck.state()).isEqualTo(VersionState.UNLOADED);
    assertThat(meters.counter("sluice_version_drain_timeouts", "model", "tiny_mlp", "version", "1")
            .count())
        .isEqualTo(1.0);
    stuck.release();
  }

  @Test
  void theIndexShowsTritonsStateNamesAndTheStateMachineRefusesIllegalMoves() {
    assertThat(VersionState.DRAINING.indexName()).isEqualTo("UNLOADING");
    assertThat(VersionState.FAILED.indexName()).isEqualTo("UNAVAILABLE");
    assertThat(VersionState.LOADING.check(VersionState.READY)).isEqualTo(VersionState.READY);
    assertThatThrownBy(() -> VersionState.READY.check(VersionState.LOADING))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("READY -> LOADING");
    assertThatThrownBy(() -> VersionState.UNLOADED.check(VersionState.READY))
        .isInstanceOf(IllegalStateException.class);
  }
}
