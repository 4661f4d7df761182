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
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The lifecycle against the committed example repositories, with real ONNX Runtime sessions. */
class ModelManagerTest {
  private static final Path EXAMPLES = Path.of("../examples/model_repository");
  private static final Path BROKEN = Path.of("../examples/broken_repository");

  private ModelManager manager;

  private ModelManager open(Path repo) throws Exception {
    manager =
        new ModelManager(
            LocalModelRepository.open(repo),
            LifecycleConfig.ofDefaults(),
            BackendRegistry.of(new OnnxBackendProvider()),
            new SimpleMeterRegistry(),
            Clock.systemUTC(),
            Ticker.SYSTEM,
            Executors.newSingleThreadExecutor());
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
            Executors.newSingleThreadExecutor());
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
}
