package io.sluice.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import io.sluice.proto.inference.GrpcService;
import io.sluice.proto.inference.ModelConfigProto;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Guards the names that unmodified Triton / KServe clients put on the wire: the gRPC method
 * paths and a sample of field numbers taken from the public spec.
 */
class GrpcServiceContractTest {

  @Test
  void serviceHasEveryTritonRpcUnderTheUpstreamName() {
    ServiceDescriptor service = GrpcService.getDescriptor().findServiceByName("GRPCInferenceService");
    assertThat(service.getFullName()).isEqualTo("inference.GRPCInferenceService");
    assertThat(GRPCInferenceServiceGrpc.SERVICE_NAME).isEqualTo("inference.GRPCInferenceService");
    assertThat(service.getMethods())
        .extracting(m -> m.getName())
        .containsExactlyInAnyOrder(
            "ServerLive",
            "ServerReady",
            "ModelReady",
            "ServerMetadata",
            "ModelMetadata",
            "ModelInfer",
            "ModelStreamInfer",
            "ModelConfig",
            "ModelStatistics",
            "RepositoryIndex",
            "RepositoryModelLoad",
            "RepositoryModelUnload",
            "SystemSharedMemoryStatus",
            "SystemSharedMemoryRegister",
            "SystemSharedMemoryUnregister",
            "CudaSharedMemoryStatus",
            "CudaSharedMemoryRegister",
            "CudaSharedMemoryUnregister",
            "TraceSetting",
            "LogSettings");

    assertThat(GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName())
        .isEqualTo("inference.GRPCInferenceService/ModelInfer");
    assertThat(GRPCInferenceServiceGrpc.getModelInferMethod().getType()).isEqualTo(MethodType.UNARY);
    assertThat(GRPCInferenceServiceGrpc.getModelStreamInferMethod().getType())
        .isEqualTo(MethodType.BIDI_STREAMING);
  }

  @Test
  void bothFilesUseTheInferencePackage() {
    assertThat(GrpcService.getDescriptor().getPackage()).isEqualTo("inference");
    assertThat(GrpcService.getDescriptor().getName()).isEqualTo("grpc_service.proto");
    assertThat(ModelConfigProto.getDescriptor().getPackage()).isEqualTo("inference");
    assertThat(ModelConfigProto.getDescriptor().getName()).isEqualTo("model_config.proto");
    assertThat(GrpcService.getDescriptor().getDependencies())
        .containsExactly(ModelConfigProto.getDescriptor());
  }

  @Test
  void sampleOfFieldNumbersMatchesTheSpec() {
    assertNumbers(
        GrpcService.ModelInferRequest.getDescriptor(),
        List.of("model_name", "model_version", "id", "parameters", "inputs", "outputs",
            "raw_input_contents"),
        1, 2, 3, 4, 5, 6, 7);
    assertNumbers(
        GrpcService.ModelInferResponse.getDescriptor(),
        List.of("model_name", "model_version", "id", "parameters", "outputs",
            "raw_output_contents"),
        1, 2, 3, 4, 5, 6);
    assertNumbers(
        GrpcService.InferParameter.getDescriptor(),
        List.of("bool_param", "int64_param", "string_param", "double_param", "uint64_param"),
        1, 2, 3, 4, 5);
    assertNumbers(
        GrpcService.ModelStatistics.getDescriptor(),
        List.of("name", "version", "last_inference", "inference_count", "execution_count",
            "inference_stats", "batch_stats", "memory_usage", "response_stats"),
        1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertNumbers(
        GrpcService.RepositoryModelLoadRequest.getDescriptor(),
        List.of("repository_name", "model_name", "parameters"),
        1, 2, 3);
    assertNumbers(
        ModelConfigProto.ModelConfig.getDescriptor(),
        List.of("name", "platform", "version_policy", "max_batch_size", "input", "output",
            "instance_group", "default_model_filename", "cc_model_filenames", "metric_tags",
            "dynamic_batching", "optimization", "sequence_batching", "parameters",
            "ensemble_scheduling", "model_warmup", "backend", "model_operations",
            "model_transaction_policy", "batch_input", "batch_output",
            "model_repository_agents", "response_cache", "runtime", "model_metrics"),
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25,
        26);
    assertNumbers(
        ModelConfigProto.ModelInstanceGroup.getDescriptor(),
        List.of("name", "count", "gpus", "kind", "profile", "rate_limiter", "passive",
            "secondary_devices", "host_policy"),
        1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(ModelConfigProto.DataType.TYPE_BF16.getNumber()).isEqualTo(14);
    assertThat(ModelConfigProto.DataType.TYPE_STRING.getNumber()).isEqualTo(13);
  }

  private static void assertNumbers(Descriptor message, List<String> names, int... numbers) {
    assertThat(message.getFields()).hasSameSizeAs(names);
    for (int i = 0; i < names.size(); i++) {
      FieldDescriptor field = message.findFieldByName(names.get(i));
      assertThat(field).as("%s.%s", message.getName(), names.get(i)).isNotNull();
      assertThat(field.getNumber()).as("%s.%s", message.getName(), names.get(i)).isEqualTo(numbers[i]);
    }
  }
}
