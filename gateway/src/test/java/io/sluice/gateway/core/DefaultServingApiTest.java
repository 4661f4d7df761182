package io.sluice.gateway.core;

import io.sluice.gateway.request.RequestedOutput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.gateway.model.BackendRegistry;
import io.sluice.gateway.model.LifecycleConfig;
import io.sluice.gateway.model.ModelManager;
import io.sluice.registry.LocalModelRepository;
import io.sluice.runtime.DataType;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import io.sluice.runtime.Tensor;
import io.sluice.runtime.Ticker;
import io.sluice.runtime.onnx.OnnxBackendProvider;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The protocol-neutral core against the example repository on real ONNX Runtime sessions. */
class DefaultServingApiTest {
  private static ModelManager manager;
  private static DefaultServingApi api;

  @BeforeAll
  static void start() throws Exception {
    manager =
        new ModelManager(
            LocalModelRepository.open(Path.of("../examples/model_repository")),
            LifecycleConfig.ofDefaults(),
            BackendRegistry.of(new OnnxBackendProvider()),
            new SimpleMeterRegistry(),
            Clock.systemUTC(),
            Ticker.SYSTEM,
            Executors.newSingleThreadExecutor(),
            java.time.Duration.ofSeconds(30));
    manager.loadAll().join();
    api = new DefaultServingApi(manager, true, Ticker.SYSTEM, "test", new SimpleMeterRegistry());
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  private static Tensor iris(int rows) {
    float[] v = new float[rows * 4];
    for (int i = 0; i < v.length; i++) {
      v[i] = 1 + (i % 4);
    }
    return Tensor.ofFloats("float_input", new long[] {rows, 4}, v);
  }

  private static Status.Code codeOf(CompletableFuture<?> f) {
    try {
      f.join();
      throw new AssertionError("expected a failure");
    } catch (CompletionException e) {
      return Status.fromThrowable(e).code();
    }
  }

  @Test
  void inferReturnsEveryOutputInConfigOrderWhenNoneAreRequested() {
    V2InferResponse r = api.infer("iris_classifier", "", V2InferRequest.of("7", List.of(iris(3)))).join();

    assertThat(r.modelName()).isEqualTo("iris_classifier");
    assertThat(r.modelVersion()).isEqualTo("1");
    assertThat(r.id()).isEqualTo("7");
    assertThat(r.outputs()).extracting(Tensor::name).containsExactly("label", "probabilities");
    assertThat(r.outputs().get(1).shape()).containsExactly(3, 3);
  }

  @Test
  void requestedOutputsComeBackInTheOrderAsked() {
    V2InferRequest req =
        new V2InferRequest(
            List.of(iris(1)),
            List.of(new RequestedOutput("probabilities", 0, true), new RequestedOutput("label", 0, false)),
            0, 0, null);

    V2InferResponse r = api.infer("iris_classifier", "1", req).join();

    assertThat(r.outputs()).extracting(Tensor::name).containsExactly("probabilities", "label");
    assertThat(r.binaryData()).containsExactly(true, false);
  }

  @Test
  void classificationUsesTheLabelFile() {
    V2InferRequest req =
        new V2InferRequest(
            List.of(iris(1)), List.of(new RequestedOutput("probabilities", 1, false)), 0, 0, null);

    Tensor top = api.infer("iris_classifier", "", req).join().outputs().get(0);

    assertThat(top.type()).isEqualTo(DataType.BYTES);
    String entry = new String(top.bytesElements().get(0), StandardCharsets.UTF_8);
    assertThat(entry).matches("\\d\\.\\d{6}:\\d:(setosa|versicolor|virginica)");
  }

  @Test
  void wrongDatatypeIsInvalidArgumentNamingTheExpectedType() {
    Tensor ints = Tensor.ofLongs("float_input", new long[] {1, 4}, 1, 2, 3, 4);

    assertThatThrownBy(() -> api.infer("iris_classifier", "", V2InferRequest.of("", List.of(ints))).join())
        .hasCauseInstanceOf(StatusException.class)
        .hasMessageContaining("expected: FP32");
  }

  @Test
  void wrongShapeMissingAndUnknownInputsAreInvalidArgument() {
    Tensor wrongShape = Tensor.ofFloats("float_input", new long[] {1, 3}, 1, 2, 3);
    Tensor unknown = Tensor.ofFloats("nope", new long[] {1, 4}, 1, 2, 3, 4);

    assertThat(codeOf(api.infer("iris_classifier", "", V2InferRequest.of("", List.of(wrongShape)))))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(codeOf(api.infer("iris_classifier", "", V2InferRequest.of("", List.of()))))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(codeOf(api.infer("iris_classifier", "", V2InferRequest.of("", List.of(iris(1), unknown)))))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void batchLargerThanMaxBatchSizeIsInvalidArgument() {
    assertThat(codeOf(api.infer("iris_classifier", "", V2InferRequest.of("", List.of(iris(33))))))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void unknownModelAndVersionAreNotFound() {
    assertThat(codeOf(api.infer("nope", "", V2InferRequest.of("", List.of(iris(1))))))
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(codeOf(api.infer("iris_classifier", "9", V2InferRequest.of("", List.of(iris(1))))))
        .isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void uint32InputsAreRefusedWithAMessageAboutOnnxRuntimeJava() {
    // int_adder takes INT64; a UINT32 tensor is refused before it reaches the engine.
    Tensor a = Tensor.of("a", DataType.UINT32, new long[] {4}, ByteBuffer.allocate(16));
    Tensor b = Tensor.of("b", DataType.UINT32, new long[] {4}, ByteBuffer.allocate(16));

    assertThat(codeOf(api.infer("int_adder", "", V2InferRequest.of("", List.of(a, b)))))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void metadataShapesStartWithMinusOneWhenTheModelBatches() {
    ModelMetadata m = api.modelMetadata("iris_classifier", "");

    assertThat(m.inputs().get(0).shape()).containsExactly(-1, 4);
    assertThat(m.inputs().get(0).datatype()).isEqualTo(DataType.FP32);
    assertThat(api.modelMetadata("int_adder", "").versions()).containsExactly("1", "2");
    assertThat(api.modelMetadata("int_adder", "").inputs().get(0).shape()).containsExactly(4);
  }

  @Test
  void thePredictSignatureIsBuiltOncePerServedVersion() {
    PredictSignature s = api.predictSignature("iris_classifier", "");

    assertThat(api.predictSignature("iris_classifier", "1")).as("the same version: cached")
        .isSameAs(s);
    assertThat(s.signatureNames()).containsExactly(PredictSignature.DEFAULT_SIGNATURE);
    assertThat(s.metadata().inputs().get(0).shape()).as("as metadata shows it")
        .containsExactly(api.modelMetadata("iris_classifier", "1").inputs().get(0).shape());
    assertThat(api.predictSignature("int_adder", "1")).as("another version, its own")
        .isNotSameAs(api.predictSignature("int_adder", "2"));
  }

  @Test
  void statisticsCountEverySuccessfulRequest() {
    long before =
        api.statistics("category_encoder", "1").getModelStats(0).getInferenceStats().getSuccess().getCount();
    Tensor text = Tensor.ofStrings("text", new long[] {2, 1}, List.of("red", "other"));

    V2InferResponse r = api.infer("category_encoder", "", V2InferRequest.of("", List.of(text))).join();

    ByteBuffer ids = r.outputs().get(0).data();
    assertThat(ids.getLong(0)).isZero();
    assertThat(ids.getLong(8)).isEqualTo(-1);
    var stats = api.statistics("category_encoder", "1").getModelStats(0);
    assertThat(stats.getInferenceStats().getSuccess().getCount()).isEqualTo(before + 1);
    assertThat(stats.getInferenceStats().getQueue().getCount()).isEqualTo(before + 1);
    assertThat(stats.getBatchStatsList()).isNotEmpty();
  }

  @Test
  void extensionsListOnlyWhatIsImplemented() {
    assertThat(api.serverInfo().extensions())
        .contains("binary_tensor_data", "statistics", "model_configuration", "classification")
        .doesNotContain("sequence", "shared_memory");
  }
}
