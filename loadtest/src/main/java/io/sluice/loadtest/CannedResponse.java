package io.sluice.loadtest;

import com.google.protobuf.ByteString;
import io.sluice.proto.inference.GrpcService.ModelInferResponse;
import java.nio.charset.StandardCharsets;

/**
 * The one answer a floor server gives to every infer request, encoded once at start: a V2 response
 * with one output of zeros, as an HTTP/1.1 response with the binary tensor extension (the form
 * Sluice sends when the request asks for {@code binary_data_output}) and as the bytes of a {@code
 * ModelInferResponse} with the tensor in {@code raw_output_contents}.
 */
record CannedResponse(byte[] http, byte[] grpc) {

  /** The output {@code outputName} of {@code datatype} and {@code shape}, all zeros. */
  static CannedResponse of(String model, String outputName, String datatype, long[] shape) {
    long elements = 1;
    for (long d : shape) {
      elements = Math.multiplyExact(elements, d);
    }
    byte[] tensor = new byte[Math.toIntExact(elements * InferPayload.elementSize(datatype))];
    return new CannedResponse(
        http(model, outputName, datatype, shape, tensor),
        grpc(model, outputName, datatype, shape, tensor));
  }

  private static byte[] http(
      String model, String outputName, String datatype, long[] shape, byte[] tensor) {
    StringBuilder dims = new StringBuilder();
    for (long d : shape) {
      dims.append(dims.length() == 0 ? "" : ",").append(d);
    }
    byte[] json =
        ("{\"model_name\":\"" + model + "\",\"model_version\":\"1\",\"outputs\":[{\"name\":\""
                + outputName + "\",\"datatype\":\"" + datatype + "\",\"shape\":[" + dims
                + "],\"parameters\":{\"binary_data_size\":" + tensor.length + "}}]}")
            .getBytes(StandardCharsets.UTF_8);
    byte[] head =
        ("HTTP/1.1 200 OK\r\n"
                + "content-type: application/octet-stream\r\n"
                + "content-length: " + (json.length + tensor.length) + "\r\n"
                + HttpTransport.HEADER_LENGTH + ": " + json.length + "\r\n"
                + "\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[head.length + json.length + tensor.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(json, 0, out, head.length, json.length);
    System.arraycopy(tensor, 0, out, head.length + json.length, tensor.length);
    return out;
  }

  private static byte[] grpc(
      String model, String outputName, String datatype, long[] shape, byte[] tensor) {
    ModelInferResponse.InferOutputTensor.Builder output =
        ModelInferResponse.InferOutputTensor.newBuilder().setName(outputName).setDatatype(datatype);
    for (long d : shape) {
      output.addShape(d);
    }
    return ModelInferResponse.newBuilder()
        .setModelName(model)
        .setModelVersion("1")
        .addOutputs(output)
        .addRawOutputContents(ByteString.copyFrom(tensor))
        .build()
        .toByteArray();
  }
}
