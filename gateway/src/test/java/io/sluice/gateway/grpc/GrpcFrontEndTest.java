package io.sluice.gateway.grpc;

import static io.sluice.gateway.grpc.InferMessages.input;
import static io.sluice.gateway.grpc.InferMessages.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.stub.ClientCalls;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import io.sluice.proto.inference.GrpcService.ModelInferResponse;
import io.sluice.proto.inference.GrpcService.ServerLiveRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GrpcFrontEndTest {
  private static final int MIB = 1024 * 1024;

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

  private static ModelInferRequest floatsOfSize(int bytes) {
    return request("big")
        .addInputs(input("INPUT0", "FP32", 1, bytes / 4))
        .addRawInputContents(ByteString.copyFrom(new byte[bytes]))
        .build();
  }

  private static boolean live() {
    return server.blocking().serverLive(ServerLiveRequest.getDefaultInstance()).getLive();
  }

  private static ServingStatus health(String service) {
    return server.health()
        .check(HealthCheckRequest.newBuilder().setService(service).build())
        .getStatus();
  }

  // --- lifecycle -------------------------------------------------------------------------

  @Test
  void portZeroBindsAnEphemeralPort() {
    assertThat(server.frontEnd.port()).isPositive();
    assertThat(live()).isTrue();
  }

  @Test
  void startingOnAPortInUseFailsWithTheAddress() {
    GrpcConfig taken = new GrpcConfig("127.0.0.1", server.frontEnd.port(), MIB);

    assertThatThrownBy(() -> GrpcFrontEnd.start(taken, server.api, server.boss, server.workers))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("cannot start gRPC on 127.0.0.1:" + server.frontEnd.port());
  }

  @Test
  void closeStopsServingButLeavesTheCallersEventLoopsRunning() {
    GrpcTestServer own = new GrpcTestServer();
    try {
      own.frontEnd.close();

      assertThatThrownBy(() -> own.blocking().serverLive(ServerLiveRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Code.UNAVAILABLE));
      assertThat(own.workers.isShuttingDown()).isFalse();
      assertThat(own.boss.isShuttingDown()).isFalse();
    } finally {
      own.close();
    }
  }

  // --- message size ----------------------------------------------------------------------

  @Test
  void anEightMebibyteRequestIsAcceptedFarAboveGrpcsDefaultLimit() {
    ModelInferResponse response = server.blocking().modelInfer(floatsOfSize(8 * MIB));

    assertThat(server.api.lastInput(0).byteSize()).isEqualTo(8 * MIB);
    assertThat(response.getRawOutputContents(0).size()).isEqualTo(8 * MIB);
  }

  @Test
  void aRequestOverTheConfiguredLimitIsResourceExhausted() {
    GrpcConfig oneMebibyte = GrpcConfig.ofDefaults().withMaxMessageBytes(MIB);
    try (GrpcTestServer small = new GrpcTestServer(oneMebibyte)) {
      assertThatThrownBy(() -> small.blocking().modelInfer(floatsOfSize(2 * MIB)))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED));
      assertThat(small.api.inferCalls).isEmpty();
    }
  }

  // --- malformed messages ----------------------------------------------------------------

  /** Sends bytes as they are, so the server sees a message no protobuf encoder would write. */
  private static final MethodDescriptor.Marshaller<byte[]> RAW_BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  @Test
  void aMalformedProtobufMessageFailsTheCallAndTheServerKeepsServing() {
    MethodDescriptor<byte[], byte[]> modelInfer = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName())
        .setRequestMarshaller(RAW_BYTES)
        .setResponseMarshaller(RAW_BYTES)
        .build();
    // Field 1 (model_name) claims 127 bytes, and one follows.
    byte[] garbage = {0x0a, 0x7f, 0x01};

    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(
            server.channel, modelInfer, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
            garbage))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isNotIn(Code.OK, Code.DEADLINE_EXCEEDED));
    assertThat(server.api.inferCalls).isEmpty();
    assertThat(live()).isTrue();
  }

  // --- health ----------------------------------------------------------------------------

  @Test
  void healthOfTheServerIsServingWhenTheApiIsReady() {
    assertThat(health("")).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void healthOfTheServerIsNotServingWhenTheApiIsNotReady() {
    server.api.ready = false;

    assertThat(health("")).isEqualTo(ServingStatus.NOT_SERVING);
  }

  @Test
  void healthOfTheInferenceServiceFollowsServerReadiness() {
    server.api.ready = false;

    assertThat(health("inference.GRPCInferenceService")).isEqualTo(ServingStatus.NOT_SERVING);
  }

  @Test
  void healthOfAModelFollowsThatModelsReadiness() {
    server.api.modelsReady.put(FakeServingApi.OTHER_MODEL, false);

    assertThat(health(FakeServingApi.MODEL)).isEqualTo(ServingStatus.SERVING);
    assertThat(health(FakeServingApi.OTHER_MODEL)).isEqualTo(ServingStatus.NOT_SERVING);
  }

  @Test
  void healthOfAnUnknownServiceIsNotFound() {
    assertThatThrownBy(() -> health("nope"))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Code.NOT_FOUND));
  }

  @Test
  void healthWatchIsUnimplemented() {
    var responses = server.health().watch(HealthCheckRequest.getDefaultInstance());

    assertThatThrownBy(responses::hasNext)
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Code.UNIMPLEMENTED));
  }
}
