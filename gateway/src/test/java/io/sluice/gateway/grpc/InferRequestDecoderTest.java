package io.sluice.gateway.grpc;

import static io.sluice.gateway.grpc.InferMessages.bytes;
import static io.sluice.gateway.grpc.InferMessages.contents;
import static io.sluice.gateway.grpc.InferMessages.input;
import static io.sluice.gateway.grpc.InferMessages.int64;
import static io.sluice.gateway.grpc.InferMessages.rawFloats;
import static io.sluice.gateway.grpc.InferMessages.request;
import static io.sluice.gateway.grpc.InferMessages.uint64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.sluice.gateway.core.V2InferRequest;
import io.sluice.proto.inference.GrpcService.InferTensorContents;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import io.sluice.runtime.DataType;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import io.sluice.runtime.Tensor;
import org.junit.jupiter.api.Test;

/** The decoder alone, for the cases a wire test would only repeat. */
class InferRequestDecoderTest {

  private static V2InferRequest decode(ModelInferRequest request) {
    return InferRequestDecoder.decode(request, Long.MAX_VALUE, () -> false);
  }

  private static Tensor decodeOne(
      InferTensorContents.Builder contents, String type, long... shape) {
    return decode(request("t").addInputs(input("X", type, shape).setContents(contents)).build())
        .inputs().get(0);
  }

  private static void assertInvalid(ModelInferRequest request, String message) {
    assertThatThrownBy(() -> decode(request))
        .isInstanceOfSatisfying(StatusException.class, e -> {
          assertThat(e.status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getMessage()).contains(message);
        });
  }

  @Test
  void rawContentsAreWrappedReadOnlyWithoutCopying() {
    V2InferRequest decoded = decode(rawFloats("r", 1f, 2f));

    Tensor tensor = decoded.inputs().get(0);
    assertThat(tensor.data().isReadOnly()).isTrue();
    assertThat(tensor.byteSize()).isEqualTo(8);
  }

  @Test
  void typedInt16ContentsArePackedIntoTwoBytesEach() {
    Tensor tensor = decodeOne(
        InferTensorContents.newBuilder().addIntContents(-2).addIntContents(0x1234), "INT16", 2);

    assertThat(contents(tensor)).isEqualTo(bytes(0xfe, 0xff, 0x34, 0x12).toByteArray());
  }

  @Test
  void typedUint32ContentsKeepValuesAboveTheSignedRange() {
    Tensor tensor = decodeOne(InferTensorContents.newBuilder().addUintContents(-1), "UINT32", 1);

    assertThat(contents(tensor)).isEqualTo(bytes(0xff, 0xff, 0xff, 0xff).toByteArray());
  }

  @Test
  void typedFp64AndUint64ContentsArePackedEightBytesEach() {
    Tensor fp64 = decodeOne(InferTensorContents.newBuilder().addFp64Contents(1.0), "FP64", 1);
    Tensor uint64 = decodeOne(InferTensorContents.newBuilder().addUint64Contents(1), "UINT64", 1);

    assertThat(fp64.data().getDouble(0)).isEqualTo(1.0);
    assertThat(uint64.data().getLong(0)).isEqualTo(1);
  }

  @Test
  void aTypedInt8ValueOutOfRangeIsInvalidArgument() {
    assertInvalid(
        request("t")
            .addInputs(input("X", "INT8", 1)
                .setContents(InferTensorContents.newBuilder().addIntContents(128)))
            .build(),
        "input 'X': element 0 is 128, out of range for INT8 (expected: -128..127)");
  }

  @Test
  void aTypedUint8ValueOutOfRangeIsInvalidArgument() {
    assertInvalid(
        request("t")
            .addInputs(input("X", "UINT8", 1)
                .setContents(InferTensorContents.newBuilder().addUintContents(256)))
            .build(),
        "out of range for UINT8 (expected: 0..255)");
  }

  @Test
  void typedFp16IsInvalidArgumentBecauseItTravelsOnlyRaw() {
    assertInvalid(
        request("t")
            .addInputs(input("X", "FP16", 1).setContents(InferTensorContents.newBuilder()))
            .build(),
        "FP16 has no typed contents field (expected: the tensor in raw_input_contents)");
  }

  @Test
  void rawFp16IsAccepted() {
    Tensor tensor = decode(request("t")
            .addInputs(input("X", "FP16", 2))
            .addRawInputContents(bytes(0x00, 0x3c, 0x00, 0xc0))
            .build())
        .inputs().get(0);

    assertThat(tensor.type()).isEqualTo(DataType.FP16);
  }

  @Test
  void malformedRawBytesElementsAreInvalidArgument() {
    assertInvalid(
        request("t")
            .addInputs(input("X", "BYTES", 1))
            .addRawInputContents(ByteString.fromHex("05000000ab"))
            .build(),
        "BYTES element 0 declares 5 bytes but only 1 remain");
  }

  @Test
  void aNegativeDimensionIsInvalidArgument() {
    assertInvalid(
        request("t")
            .addInputs(input("X", "FP32", -1))
            .addRawInputContents(ByteString.EMPTY)
            .build(),
        "negative dimension");
  }

  @Test
  void aShapeWhoseElementCountOverflowsIsInvalidArgument() {
    assertInvalid(
        request("t")
            .addInputs(input("X", "FP32", Long.MAX_VALUE, 2))
            .addRawInputContents(ByteString.EMPTY)
            .build(),
        "has more elements than a long holds");
  }

  @Test
  void aNegativePriorityIsInvalidArgument() {
    assertInvalid(
        rawFloats("p", 1f).toBuilder().putParameters("priority", int64(-1)).build(),
        "parameter 'priority': -1 (expected: 0..2147483647)");
  }

  @Test
  void aUint64PriorityAboveTheSignedRangeIsReportedUnsigned() {
    assertInvalid(
        rawFloats("p", 1f).toBuilder().putParameters("priority", uint64(-1)).build(),
        "parameter 'priority': 18446744073709551615 (expected: 0..2147483647)");
  }

  @Test
  void theDeadlineAndCancellationArePassedThrough() {
    V2InferRequest decoded = InferRequestDecoder.decode(rawFloats("d", 1f), 1234, () -> true);

    assertThat(decoded.deadlineNanos()).isEqualTo(1234);
    assertThat(decoded.cancelled().getAsBoolean()).isTrue();
  }
}
