package io.sluice.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.sluice.proto.inference.GrpcService.ModelConfigRequest;
import io.sluice.proto.inference.GrpcService.ModelMetadataRequest;
import io.sluice.proto.inference.GrpcService.ModelMetadataResponse;
import io.sluice.proto.inference.GrpcService.ModelReadyRequest;
import io.sluice.proto.inference.GrpcService.ModelRepositoryParameter;
import io.sluice.proto.inference.GrpcService.ModelStatisticsRequest;
import io.sluice.proto.inference.GrpcService.ModelStatisticsResponse;
import io.sluice.proto.inference.GrpcService.RepositoryIndexRequest;
import io.sluice.proto.inference.GrpcService.RepositoryIndexResponse.ModelIndex;
import io.sluice.proto.inference.GrpcService.RepositoryModelLoadRequest;
import io.sluice.proto.inference.GrpcService.RepositoryModelUnloadRequest;
import io.sluice.proto.inference.GrpcService.ServerLiveRequest;
import io.sluice.proto.inference.GrpcService.ServerMetadataRequest;
import io.sluice.proto.inference.GrpcService.ServerMetadataResponse;
import io.sluice.proto.inference.GrpcService.ServerReadyRequest;
import io.sluice.runtime.Status;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ControlRpcTest {
  private static GrpcTestServer server;

  @BeforeAll
  static void startServer() {
    server = new GrpcTestServer();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void resetFake() {
    server.api.reset();
  }

  private static void assertFails(ThrowingCallable call, Code code, String message) {
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(code);
      assertThat(e.getStatus().getDescription()).contains(message);
    });
  }

  private static ModelRepositoryParameter stringParam(String value) {
    return ModelRepositoryParameter.newBuilder().setStringParam(value).build();
  }

  @Test
  void serverLiveAnswersFromTheApi() {
    assertThat(server.blocking().serverLive(ServerLiveRequest.getDefaultInstance()).getLive())
        .isTrue();
  }

  @Test
  void serverReadyIsTrueWhenTheApiIsReady() {
    assertThat(server.blocking().serverReady(ServerReadyRequest.getDefaultInstance()).getReady())
        .isTrue();
  }

  @Test
  void serverReadyIsFalseWhenTheApiIsNotReady() {
    server.api.ready = false;

    assertThat(server.blocking().serverReady(ServerReadyRequest.getDefaultInstance()).getReady())
        .isFalse();
  }

  @Test
  void modelReadyAnswersForTheNamedModel() {
    server.api.modelsReady.put(FakeServingApi.OTHER_MODEL, false);

    assertThat(server.blocking()
            .modelReady(ModelReadyRequest.newBuilder().setName(FakeServingApi.MODEL).build())
            .getReady())
        .isTrue();
    assertThat(server.blocking()
            .modelReady(ModelReadyRequest.newBuilder().setName(FakeServingApi.OTHER_MODEL).build())
            .getReady())
        .isFalse();
  }

  @Test
  void modelReadyIsFalseNotAnErrorForAnUnknownModelAsInTriton() {
    assertThat(server.blocking()
            .modelReady(ModelReadyRequest.newBuilder().setName("nope").build())
            .getReady())
        .isFalse();
  }

  @Test
  void serverMetadataCarriesNameVersionAndExtensions() {
    ServerMetadataResponse metadata =
        server.blocking().serverMetadata(ServerMetadataRequest.getDefaultInstance());

    assertThat(metadata.getName()).isEqualTo("sluice");
    assertThat(metadata.getVersion()).isEqualTo("0.1.0");
    assertThat(metadata.getExtensionsList()).containsExactly("model_repository", "statistics");
  }

  @Test
  void modelMetadataCarriesVersionsPlatformAndTensorsWithV2DatatypeNames() {
    ModelMetadataResponse metadata = server.blocking().modelMetadata(
        ModelMetadataRequest.newBuilder().setName(FakeServingApi.MODEL).build());

    assertThat(metadata.getName()).isEqualTo(FakeServingApi.MODEL);
    assertThat(metadata.getVersionsList()).containsExactly("1", "2");
    assertThat(metadata.getPlatform()).isEqualTo("onnxruntime_onnx");
    assertThat(metadata.getInputsList()).singleElement().satisfies(input -> {
      assertThat(input.getName()).isEqualTo("INPUT0");
      assertThat(input.getDatatype()).isEqualTo("FP32");
      assertThat(input.getShapeList()).containsExactly(-1L, 4L);
    });
    assertThat(metadata.getOutputsList())
        .extracting(ModelMetadataResponse.TensorMetadata::getDatatype)
        .containsExactly("FP32", "BYTES");
  }

  @Test
  void modelMetadataOfAnUnknownModelIsNotFound() {
    assertFails(
        () -> server.blocking().modelMetadata(
            ModelMetadataRequest.newBuilder().setName("nope").build()),
        Code.NOT_FOUND,
        "unknown model 'nope'");
  }

  @Test
  void modelConfigCarriesTheApisConfig() {
    var config = server.blocking()
        .modelConfig(ModelConfigRequest.newBuilder().setName(FakeServingApi.MODEL).build())
        .getConfig();

    assertThat(config).isEqualTo(server.api.modelConfig(FakeServingApi.MODEL, ""));
    assertThat(config.getMaxBatchSize()).isEqualTo(8);
  }

  @Test
  void modelStatisticsAreTheApisStatistics() {
    ModelStatisticsResponse stats = server.blocking().modelStatistics(
        ModelStatisticsRequest.newBuilder().setName(FakeServingApi.MODEL).build());

    assertThat(stats).isEqualTo(server.api.statistics(FakeServingApi.MODEL, ""));
    assertThat(stats.getModelStats(0).getInferenceCount()).isEqualTo(42);
  }

  @Test
  void modelStatisticsWithoutANameCoverEveryModel() {
    ModelStatisticsResponse stats =
        server.blocking().modelStatistics(ModelStatisticsRequest.getDefaultInstance());

    assertThat(stats.getModelStatsList()).hasSize(2);
  }

  @Test
  void repositoryIndexListsEveryModelWithStateAndReason() {
    var index = server.blocking().repositoryIndex(RepositoryIndexRequest.getDefaultInstance());

    assertThat(index.getModelsList()).containsExactly(
        ModelIndex.newBuilder().setName("simple").setVersion("1").setState("READY").build(),
        ModelIndex.newBuilder()
            .setName("broken")
            .setState("UNAVAILABLE")
            .setReason("model.onnx is missing")
            .build());
  }

  @Test
  void repositoryIndexWithReadyListsOnlyReadyModels() {
    var index = server.blocking()
        .repositoryIndex(RepositoryIndexRequest.newBuilder().setReady(true).build());

    assertThat(index.getModelsList()).extracting(ModelIndex::getName).containsExactly("simple");
  }

  @Test
  void repositoryModelLoadPassesTheConfigParameterThrough() {
    String json = "{\"max_batch_size\": 4}";

    server.blocking().repositoryModelLoad(RepositoryModelLoadRequest.newBuilder()
        .setModelName("simple")
        .putParameters("config", stringParam(json))
        .build());

    assertThat(server.api.loadCalls).containsExactly(
        new FakeServingApi.LoadCall("simple", Map.of("config", json)));
  }

  @Test
  void repositoryModelLoadPassesOtherParametersAsStrings() {
    server.blocking().repositoryModelLoad(RepositoryModelLoadRequest.newBuilder()
        .setModelName("simple")
        .putParameters("strict", ModelRepositoryParameter.newBuilder().setBoolParam(true).build())
        .putParameters("count", ModelRepositoryParameter.newBuilder().setInt64Param(3).build())
        .build());

    assertThat(server.api.loadCalls.get(0).parameters())
        .containsOnly(Map.entry("strict", "true"), Map.entry("count", "3"));
  }

  @Test
  void repositoryModelLoadRefusesFileOverridesAsUnimplemented() {
    assertFails(
        () -> server.blocking().repositoryModelLoad(RepositoryModelLoadRequest.newBuilder()
            .setModelName("simple")
            .putParameters("file:1/model.onnx", ModelRepositoryParameter.newBuilder()
                .setBytesParam(ByteString.copyFromUtf8("onnx")).build())
            .build()),
        Code.UNIMPLEMENTED,
        "parameter 'file:1/model.onnx': bytes_param (file overrides) is not supported");
    assertThat(server.api.loadCalls).isEmpty();
  }

  @Test
  void aFailedLoadReportsTheApisStatus() {
    server.api.loadResult = CompletableFuture.failedFuture(
        Status.invalidArgument("config: max_batch_size -1 (expected: >= 0)").asException());

    assertFails(
        () -> server.blocking().repositoryModelLoad(
            RepositoryModelLoadRequest.newBuilder().setModelName("simple").build()),
        Code.INVALID_ARGUMENT,
        "max_batch_size -1");
  }

  @Test
  void repositoryModelUnloadUnloadsTheNamedModel() {
    server.blocking().repositoryModelUnload(
        RepositoryModelUnloadRequest.newBuilder().setModelName("simple").build());

    assertThat(server.api.unloadCalls).containsExactly("simple");
  }

  @Test
  void unloadingAnUnknownModelIsNotFound() {
    assertFails(
        () -> server.blocking().repositoryModelUnload(
            RepositoryModelUnloadRequest.newBuilder().setModelName("nope").build()),
        Code.NOT_FOUND,
        "unknown model 'nope'");
  }
}
