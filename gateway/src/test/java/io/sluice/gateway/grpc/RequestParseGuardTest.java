package io.sluice.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.sluice.proto.inference.GrpcService.ModelInferResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bytes that are no valid request message, sent over a real connection: INVALID_ARGUMENT naming
 * the message, nothing logged above debug, and the server serves on. Before {@link
 * RequestParseGuard}, grpc-java answered UNKNOWN "Application error processing RPC" and logged a
 * SEVERE stack trace for each (the fuzz run's commonest finding).
 */
class RequestParseGuardTest {
  private static GrpcTestServer server;
  private final List<LogRecord> warnings = new ArrayList<>();
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord r) {
      if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
        synchronized (warnings) {
          warnings.add(r);
        }
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
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
            throw new IllegalStateException(e);
          }
        }
      };

  @BeforeAll
  static void start() {
    server = new GrpcTestServer();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void listen() {
    server.api.reset();
    Logger.getLogger("").addHandler(handler);
  }

  @AfterEach
  void nothingWasLoggedAboveDebug() {
    Logger.getLogger("").removeHandler(handler);
    assertThat(warnings).extracting(LogRecord::getMessage).isEmpty();
  }

  private static Status send(String method, MethodDescriptor.MethodType type, byte[] bytes) {
    MethodDescriptor<byte[], byte[]> descriptor = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(type)
        .setFullMethodName(method)
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();
    try {
      ClientCalls.blockingUnaryCall(server.channel, descriptor,
          CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), bytes);
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  @Test
  void bytesThatAreNoProtobufAreInvalidArgumentNamingTheMessage() {
    Status s = send("inference.GRPCInferenceService/ModelInfer",
        MethodDescriptor.MethodType.UNARY, new byte[] {(byte) 0xff, (byte) 0xff, 0x7f, 0});

    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription())
        .startsWith("the ModelInferRequest message cannot be parsed: ")
        .doesNotContain("Exception")
        .doesNotContain("io.grpc");
    // The server serves on.
    ModelInferResponse ok = server.blocking().modelInfer(InferMessages.rawFloats("after", 1f));
    assertThat(ok.getId()).isEqualTo("after");
  }

  @Test
  void invalidUtf8InAStringFieldIsInvalidArgument() {
    // Field 1 (model_name), length 2, bytes that are no UTF-8.
    Status s = send("inference.GRPCInferenceService/ModelInfer",
        MethodDescriptor.MethodType.UNARY, new byte[] {0x0a, 2, (byte) 0xff, (byte) 0xfe});

    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription()).contains("invalid UTF-8");
  }

  @Test
  void aTruncatedMessageToAnyServiceIsInvalidArgument() {
    // A length that runs past the end, to the health service and to a control call.
    Status health = send("grpc.health.v1.Health/Check", MethodDescriptor.MethodType.UNARY,
        new byte[] {0x0a, 0x10, 'x'});
    Status metadata = send("inference.GRPCInferenceService/ModelMetadata",
        MethodDescriptor.MethodType.UNARY, new byte[] {0x0a, 0x10, 'x'});

    assertThat(health.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(health.getDescription()).startsWith("the HealthCheckRequest message");
    assertThat(metadata.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(metadata.getDescription()).startsWith("the ModelMetadataRequest message");
    assertThat(server.health().check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }

  @Test
  void aStreamWhoseMessageDoesNotParseEndsWithInvalidArgument() throws Exception {
    CompletableFuture<Status> closed = new CompletableFuture<>();
    MethodDescriptor<byte[], byte[]> stream = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
        .setFullMethodName("inference.GRPCInferenceService/ModelStreamInfer")
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();
    StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(
        server.channel.newCall(stream, CallOptions.DEFAULT), new StreamObserver<byte[]>() {
          @Override
          public void onNext(byte[] value) {}

          @Override
          public void onError(Throwable t) {
            closed.complete(Status.fromThrowable(t));
          }

          @Override
          public void onCompleted() {
            closed.complete(Status.OK);
          }
        });
    requests.onNext(new byte[] {0x0a, 0x10, 'x'});
    Status s = closed.get(10, TimeUnit.SECONDS);
    requests.onCompleted();

    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription()).startsWith("the ModelInferRequest message cannot be parsed");
  }

  @Test
  void serverReflectionStillListsTheServices() throws Exception {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(server.channel).serverReflectionInfo(
            new StreamObserver<>() {
              @Override
              public void onNext(ServerReflectionResponse value) {
                answer.complete(value);
              }

              @Override
              public void onError(Throwable t) {
                answer.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {}
            });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    ServerReflectionResponse r = answer.get(10, TimeUnit.SECONDS);
    requests.onCompleted();

    assertThat(r.getListServicesResponse().getServiceList())
        .extracting(service -> service.getName())
        .contains("inference.GRPCInferenceService", "grpc.health.v1.Health");
  }

  @Test
  void aWellFormedMessageStillReachesTheService() {
    assertThatThrownBy(() -> server.blocking().modelInfer(
            InferMessages.request("x").setModelName("nope").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }
}
