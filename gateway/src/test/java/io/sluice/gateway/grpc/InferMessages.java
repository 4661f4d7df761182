package io.sluice.gateway.grpc;

import com.google.protobuf.ByteString;
import io.sluice.proto.inference.GrpcService.InferParameter;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import io.sluice.proto.inference.GrpcService.ModelInferRequest.InferInputTensor;
import io.sluice.runtime.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builders for the messages the tests send, and readers for what the fake received. */
final class InferMessages {

  private InferMessages() {}

  static ModelInferRequest.Builder request(String id) {
    return ModelInferRequest.newBuilder().setModelName(FakeServingApi.MODEL).setId(id);
  }

  static InferInputTensor.Builder input(String name, String datatype, long... shape) {
    InferInputTensor.Builder b = InferInputTensor.newBuilder().setName(name).setDatatype(datatype);
    for (long d : shape) {
      b.addShape(d);
    }
    return b;
  }

  /** A request with one FP32 input of shape [1, n] in raw contents. */
  static ModelInferRequest rawFloats(String id, float... values) {
    return request(id)
        .addInputs(input("INPUT0", "FP32", 1, values.length))
        .addRawInputContents(floats(values))
        .build();
  }

  static InferParameter int64(long value) {
    return InferParameter.newBuilder().setInt64Param(value).build();
  }

  static InferParameter uint64(long value) {
    return InferParameter.newBuilder().setUint64Param(value).build();
  }

  static InferParameter string(String value) {
    return InferParameter.newBuilder().setStringParam(value).build();
  }

  static ByteString floats(float... values) {
    ByteBuffer b = le(values.length * 4);
    for (float v : values) {
      b.putFloat(v);
    }
    return ByteString.copyFrom(b.flip());
  }

  static ByteString longs(long... values) {
    ByteBuffer b = le(values.length * 8);
    for (long v : values) {
      b.putLong(v);
    }
    return ByteString.copyFrom(b.flip());
  }

  static ByteString bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return ByteString.copyFrom(out);
  }

  /** The bytes a tensor holds. */
  static byte[] contents(Tensor tensor) {
    ByteBuffer data = tensor.data();
    byte[] out = new byte[data.remaining()];
    data.get(out);
    return out;
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
