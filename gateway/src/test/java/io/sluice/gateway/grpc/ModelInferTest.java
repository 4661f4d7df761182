package io.sluice.gateway.grpc;

import static io.sluice.gateway.grpc.InferMessages.bytes;
import static io.sluice.gateway.grpc.InferMessages.contents;
import static io.sluice.gateway.grpc.InferMessages.floats;
import static io.sluice.gateway.grpc.InferMessages.input;
import static io.sluice.gateway.grpc.InferMessages.int64;
import static io.sluice.gateway.grpc.InferMessages.longs;
import static io.sluice.gateway.grpc.InferMessages.rawFloats;
import static io.sluice.gateway.grpc.InferMessages.request;
import static io.sluice.gateway.grpc.InferMessages.string;
import static io.sluice.gateway.grpc.InferMessages.uint64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.sluice.gateway.request.RequestedOutput;
import io.sluice.gateway.core.V2InferRequest;
import io.sluice.gateway.core.V2InferResponse;
import io.sluice.proto.inference.GrpcService.InferTensorContents;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import io.sluice.proto.inference.GrpcService.ModelInferRequest.InferRequestedOutputTensor;
import io.sluice.proto.inference.GrpcService.ModelInferResponse;
import io.sluice.runtime.DataType;
import io.sluice.runtime.Status;
import io.sluice.runtime.Tensor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelInferTest {
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

  private static ModelInferResponse infer(ModelInferRequest request) {
    return server.blocking().modelInfer(request);
  }

  private static void assertRejected(ModelInferRequest request, Code code, String message) {
    assertThatThrownBy(() -> infer(request))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(code);
          assertThat(e.getStatus().getDescription()).contains(message);
        });
  }

  // --- raw contents ----------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "FP32, 2, 0000803f00000040",
      "INT64, 2, 0100000000000000ffffffffffffffff",
      "BOOL, 3, 010001",
      "INT8, 3, 7f8001",
      "UINT8, 3, ff0001",
      "BYTES, 2, 020000006162" + "00000000"})
  void rawContentsReachTheModelAsTheSentBytes(String datatype, long count, String hex) {
    ByteString raw = ByteString.fromHex(hex);
    infer(request("r")
        .addInputs(input("INPUT0", datatype, 1, count))
        .addRawInputContents(raw)
        .build());

    Tensor tensor = server.api.lastInput(0);
    assertThat(tensor.type()).isEqualTo(DataType.valueOf(datatype));
    assertThat(tensor.shape()).containsExactly(1, count);
    assertThat(contents(tensor)).isEqualTo(raw.toByteArray());
  }

  @Test
  void rawContentsArePairedWithInputsInOrder() {
    infer(request("r")
        .addInputs(input("A", "FP32", 1))
        .addInputs(input("B", "INT64", 1))
        .addRawInputContents(floats(1.5f))
        .addRawInputContents(longs(7))
        .build());

    assertThat(server.api.lastRequest().inputs())
        .extracting(Tensor::name)
        .containsExactly("A", "B");
    assertThat(contents(server.api.lastInput(1))).isEqualTo(longs(7).toByteArray());
  }

  @Test
  void rawContentsCountDifferentFromInputCountIsInvalidArgument() {
    assertRejected(
        request("r")
            .addInputs(input("A", "FP32", 1))
            .addInputs(input("B", "FP32", 1))
            .addRawInputContents(floats(1f))
            .build(),
        Code.INVALID_ARGUMENT,
        "raw_input_contents has 1 entries for 2 inputs");
  }

  @Test
  void rawContentsOfTheWrongSizeForTheShapeIsInvalidArgument() {
    assertRejected(
        request("r")
            .addInputs(input("INPUT0", "FP32", 2, 2))
            .addRawInputContents(floats(1f, 2f, 3f))
            .build(),
        Code.INVALID_ARGUMENT,
        "12 bytes of FP32 data for shape [2, 2] (expected: 16 bytes)");
  }

  @Test
  void rawAndTypedContentsTogetherAreInvalidArgument() {
    assertRejected(
        request("r")
            .addInputs(input("INPUT0", "FP32", 1)
                .setContents(InferTensorContents.newBuilder().addFp32Contents(1f)))
            .addRawInputContents(floats(1f))
            .build(),
        Code.INVALID_ARGUMENT,
        "both contents and raw_input_contents are set");
  }

  @Test
  void anUnknownDatatypeIsInvalidArgument() {
    assertRejected(
        request("r").addInputs(input("INPUT0", "FLOAT", 1)).addRawInputContents(floats(1f)).build(),
        Code.INVALID_ARGUMENT,
        "unknown datatype: FLOAT");
  }

  @Test
  void anInputInSharedMemoryIsUnimplemented() {
    assertRejected(
        request("r")
            .addInputs(input("INPUT0", "FP32", 1)
                .putParameters("shared_memory_region", string("input_data")))
            .build(),
        Code.UNIMPLEMENTED,
        "input 'INPUT0': shared memory is not supported by Sluice");
  }

  // --- typed contents --------------------------------------------------------------------

  @Test
  void typedFp32ContentsArePackedLittleEndian() {
    infer(request("t")
        .addInputs(input("INPUT0", "FP32", 1, 2)
            .setContents(InferTensorContents.newBuilder().addFp32Contents(1f).addFp32Contents(2f)))
        .build());

    assertThat(contents(server.api.lastInput(0))).isEqualTo(floats(1f, 2f).toByteArray());
  }

  @Test
  void typedInt64ContentsArePackedLittleEndian() {
    infer(request("t")
        .addInputs(input("INPUT0", "INT64", 2)
            .setContents(InferTensorContents.newBuilder().addInt64Contents(1).addInt64Contents(-1)))
        .build());

    assertThat(contents(server.api.lastInput(0))).isEqualTo(longs(1, -1).toByteArray());
  }

  @Test
  void typedBoolContentsBecomeOneBytePerElement() {
    infer(request("t")
        .addInputs(input("INPUT0", "BOOL", 3)
            .setContents(InferTensorContents.newBuilder()
                .addBoolContents(true).addBoolContents(false).addBoolContents(true)))
        .build());

    assertThat(contents(server.api.lastInput(0))).isEqualTo(bytes(1, 0, 1).toByteArray());
  }

  @Test
  void typedBytesContentsBecomeLengthPrefixedElements() {
    infer(request("t")
        .addInputs(input("INPUT0", "BYTES", 2)
            .setContents(InferTensorContents.newBuilder()
                .addBytesContents(ByteString.copyFromUtf8("ab"))
                .addBytesContents(ByteString.EMPTY)))
        .build());

    assertThat(contents(server.api.lastInput(0)))
        .isEqualTo(ByteString.fromHex("02000000616200000000").toByteArray());
  }

  @Test
  void typedInt8ContentsArriveInIntContents() {
    infer(request("t")
        .addInputs(input("INPUT0", "INT8", 3)
            .setContents(InferTensorContents.newBuilder()
                .addIntContents(127).addIntContents(-128).addIntContents(1)))
        .build());

    assertThat(contents(server.api.lastInput(0))).isEqualTo(bytes(0x7f, 0x80, 0x01).toByteArray());
  }

  @Test
  void typedUint8ContentsArriveInUintContents() {
    infer(request("t")
        .addInputs(input("INPUT0", "UINT8", 3)
            .setContents(InferTensorContents.newBuilder()
                .addUintContents(255).addUintContents(0).addUintContents(1)))
        .build());

    assertThat(contents(server.api.lastInput(0))).isEqualTo(bytes(0xff, 0x00, 0x01).toByteArray());
  }

  @Test
  void typedContentsWithTheWrongValueCountAreInvalidArgument() {
    assertRejected(
        request("t")
            .addInputs(input("INPUT0", "FP32", 1, 3)
                .setContents(InferTensorContents.newBuilder().addFp32Contents(1f)))
            .build(),
        Code.INVALID_ARGUMENT,
        "1 values in fp32_contents for FP32 shape [1, 3] (expected: 3)");
  }

  @Test
  void typedContentsInAnotherTypesFieldAreInvalidArgument() {
    assertRejected(
        request("t")
            .addInputs(input("INPUT0", "FP32", 1)
                .setContents(InferTensorContents.newBuilder().addInt64Contents(1)))
            .build(),
        Code.INVALID_ARGUMENT,
        "0 values in fp32_contents");
  }

  // --- parameters ------------------------------------------------------------------------

  @Test
  void priorityAsUint64ReachesTheModel() {
    infer(rawFloats("p", 1f).toBuilder().putParameters("priority", uint64(2)).build());

    assertThat(server.api.lastRequest().priority()).isEqualTo(2);
  }

  @Test
  void priorityAsInt64ReachesTheModel() {
    infer(rawFloats("p", 1f).toBuilder().putParameters("priority", int64(3)).build());

    assertThat(server.api.lastRequest().priority()).isEqualTo(3);
  }

  @Test
  void priorityAsAStringIsInvalidArgument() {
    assertRejected(
        rawFloats("p", 1f).toBuilder().putParameters("priority", string("high")).build(),
        Code.INVALID_ARGUMENT,
        "parameter 'priority': string_param \"high\" (expected: int64_param or uint64_param)");
  }

  @Test
  void timeoutInMicrosecondsReachesTheModel() {
    infer(rawFloats("p", 1f).toBuilder().putParameters("timeout", uint64(1500)).build());

    assertThat(server.api.lastRequest().timeoutMicros()).isEqualTo(1500);
  }

  @Test
  void absentParametersReachTheModelAsZero() {
    infer(rawFloats("p", 1f));

    assertThat(server.api.lastRequest().priority()).isZero();
    assertThat(server.api.lastRequest().timeoutMicros()).isZero();
  }

  @Test
  void requestedOutputsReachTheModelWithTheirClassificationCount() {
    infer(rawFloats("o", 1f).toBuilder()
        .addOutputs(InferRequestedOutputTensor.newBuilder().setName("OUTPUT0"))
        .addOutputs(InferRequestedOutputTensor.newBuilder()
            .setName("LABEL")
            .putParameters("classification", int64(3)))
        .build());

    assertThat(server.api.lastRequest().outputs()).containsExactly(
        new RequestedOutput("OUTPUT0", 0, false), new RequestedOutput("LABEL", 3, false));
  }

  // --- deadline and cancellation ---------------------------------------------------------

  @Test
  void theClientDeadlineReachesTheModelAsDeadlineNanos() {
    server.blocking().withDeadlineAfter(2, TimeUnit.SECONDS).modelInfer(rawFloats("d", 1f));

    FakeServingApi.InferCall call = server.api.lastCall();
    long remaining = call.request().deadlineNanos() - call.receivedNanos();
    assertThat(remaining).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(2).toNanos());
  }

  @Test
  void aCallWithoutDeadlineReachesTheModelWithNoDeadline() {
    infer(rawFloats("d", 1f));

    assertThat(server.api.lastRequest().deadlineNanos()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void anExpiredDeadlineIsVisibleToTheModelAsCancellation() {
    server.api.inferBehaviour = (model, version, request) -> new CompletableFuture<>();

    assertThatThrownBy(() -> server.blocking()
            .withDeadlineAfter(200, TimeUnit.MILLISECONDS)
            .modelInfer(rawFloats("c", 1f)))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Code.DEADLINE_EXCEEDED));
    V2InferRequest request = server.api.lastRequest();
    await().atMost(Duration.ofSeconds(5)).until(() -> request.cancelled().getAsBoolean());
  }

  // --- response --------------------------------------------------------------------------

  @Test
  void theResponseEchoesModelVersionAndId() {
    ModelInferResponse response = infer(rawFloats("req-7", 1f).toBuilder()
        .setModelVersion("3")
        .build());

    assertThat(response.getModelName()).isEqualTo(FakeServingApi.MODEL);
    assertThat(response.getModelVersion()).isEqualTo("3");
    assertThat(response.getId()).isEqualTo("req-7");
  }

  @Test
  void everyOutputComesInRawOutputContentsInOrderWithoutTypedContents() {
    server.api.inferBehaviour = (model, version, request) -> CompletableFuture.completedFuture(
        new V2InferResponse(model, "1", request.id(),
            List.of(
                Tensor.ofFloats("OUTPUT0", new long[] {1, 2}, 0.25f, 0.75f),
                Tensor.ofStrings("LABEL", new long[] {1, 1}, List.of("cat"))),
            List.of(false, false)));

    ModelInferResponse response = infer(rawFloats("o", 1f));

    assertThat(response.getOutputsList()).satisfiesExactly(
        o -> {
          assertThat(o.getName()).isEqualTo("OUTPUT0");
          assertThat(o.getDatatype()).isEqualTo("FP32");
          assertThat(o.getShapeList()).containsExactly(1L, 2L);
          assertThat(o.hasContents()).isFalse();
        },
        o -> {
          assertThat(o.getName()).isEqualTo("LABEL");
          assertThat(o.getDatatype()).isEqualTo("BYTES");
          assertThat(o.hasContents()).isFalse();
        });
    assertThat(response.getRawOutputContentsList()).containsExactly(
        floats(0.25f, 0.75f), ByteString.fromHex("03000000636174"));
  }

  // --- errors ----------------------------------------------------------------------------

  @Test
  void anUnknownModelIsNotFound() {
    assertRejected(
        rawFloats("e", 1f).toBuilder().setModelName("nope").build(),
        Code.NOT_FOUND,
        "unknown model 'nope'");
  }

  @Test
  void aModelThatFailsWithQueueFullIsUnavailable() {
    server.api.inferBehaviour = (model, version, request) ->
        CompletableFuture.failedFuture(Status.unavailable("queue is full").asException());

    assertRejected(rawFloats("e", 1f), Code.UNAVAILABLE, "queue is full");
  }

  @Test
  void aModelThatFailsWithAnyOtherExceptionIsInternalWithAGenericDescription() {
    server.api.inferBehaviour = (model, version, request) ->
        CompletableFuture.failedFuture(new IllegalStateException("session closed"));

    // The exception's own text stays in the server log.
    assertRejected(rawFloats("e", 1f), Code.INTERNAL, "internal error");
  }
}
