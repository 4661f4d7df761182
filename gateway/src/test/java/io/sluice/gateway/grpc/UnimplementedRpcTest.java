package io.sluice.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.sluice.proto.inference.GrpcService.CudaSharedMemoryRegisterRequest;
import io.sluice.proto.inference.GrpcService.CudaSharedMemoryStatusRequest;
import io.sluice.proto.inference.GrpcService.CudaSharedMemoryUnregisterRequest;
import io.sluice.proto.inference.GrpcService.LogSettingsRequest;
import io.sluice.proto.inference.GrpcService.SystemSharedMemoryRegisterRequest;
import io.sluice.proto.inference.GrpcService.SystemSharedMemoryStatusRequest;
import io.sluice.proto.inference.GrpcService.SystemSharedMemoryUnregisterRequest;
import io.sluice.proto.inference.GrpcService.TraceSettingRequest;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class UnimplementedRpcTest {
  private static GrpcTestServer server;

  @BeforeAll
  static void startServer() {
    server = new GrpcTestServer();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  static Stream<Arguments> unimplementedRpcs() {
    return Stream.of(
        rpc("SystemSharedMemoryStatus", "system shared memory is not supported",
            s -> s.systemSharedMemoryStatus(SystemSharedMemoryStatusRequest.getDefaultInstance())),
        rpc("SystemSharedMemoryRegister", "system shared memory is not supported",
            s -> s.systemSharedMemoryRegister(
                SystemSharedMemoryRegisterRequest.newBuilder().setName("r").setKey("/k").build())),
        rpc("SystemSharedMemoryUnregister", "system shared memory is not supported",
            s -> s.systemSharedMemoryUnregister(
                SystemSharedMemoryUnregisterRequest.getDefaultInstance())),
        rpc("CudaSharedMemoryStatus", "CUDA shared memory is not supported",
            s -> s.cudaSharedMemoryStatus(CudaSharedMemoryStatusRequest.getDefaultInstance())),
        rpc("CudaSharedMemoryRegister", "CUDA shared memory is not supported",
            s -> s.cudaSharedMemoryRegister(CudaSharedMemoryRegisterRequest.getDefaultInstance())),
        rpc("CudaSharedMemoryUnregister", "CUDA shared memory is not supported",
            s -> s.cudaSharedMemoryUnregister(
                CudaSharedMemoryUnregisterRequest.getDefaultInstance())),
        rpc("TraceSetting", "trace settings are not supported",
            s -> s.traceSetting(TraceSettingRequest.getDefaultInstance())),
        rpc("LogSettings", "log settings are not supported",
            s -> s.logSettings(LogSettingsRequest.getDefaultInstance())));
  }

  private static Arguments rpc(
      String name, String message, Consumer<GRPCInferenceServiceBlockingStub> call) {
    return Arguments.of(name, message, call);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unimplementedRpcs")
  void anUnsupportedRpcIsUnimplementedWithAClearMessage(
      String name, String message, Consumer<GRPCInferenceServiceBlockingStub> call) {
    assertThatThrownBy(() -> call.accept(server.blocking()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Code.UNIMPLEMENTED);
          assertThat(e.getStatus().getDescription()).contains(message);
        });
  }
}
