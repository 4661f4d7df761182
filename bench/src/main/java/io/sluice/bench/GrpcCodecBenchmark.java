package io.sluice.bench;

import io.sluice.gateway.request.RequestedOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.gateway.core.V2InferRequest;
import io.sluice.gateway.core.V2InferResponse;
import io.sluice.gateway.grpc.GrpcCodecs;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import io.sluice.proto.inference.GrpcService.ModelInferRequest.InferInputTensor;
import io.sluice.proto.inference.GrpcService.ModelInferRequest.InferRequestedOutputTensor;
import io.sluice.runtime.Tensor;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The gRPC codec of KServe V2 on its own: the gateway's package-private request decoder
 * and response encoder, reached through its public benchmark facade {@link GrpcCodecs}, with the
 * protobuf (de)serialization that grpc-java's default marshaller does around them, and without
 * HTTP/2 or the socket.
 *
 * <p>Tensors travel in {@code raw_input_contents} / {@code raw_output_contents}, as Triton's
 * clients send them. {@link #decodeRaw} parses the serialized {@code ModelInferRequest} and turns
 * it into tensors over the message's bytes; {@link #encodeRaw} builds the {@code
 * ModelInferResponse} around the output's buffer and serializes it to bytes, which is where the
 * one copy of the output happens. The payloads are those of {@code HttpCodecBenchmark}, so the
 * two protocols compare row by row.
 */
@State(Scope.Benchmark)
public class GrpcCodecBenchmark extends SluiceBenchmark {
  private static final BooleanSupplier NEVER = () -> false;

  @Param({BenchTensors.FP32_1X32, BenchTensors.FP32_64X32, BenchTensors.BYTES_8X1})
  public String payload;

  private byte[] requestBytes;
  private V2InferResponse response;

  @Setup(Level.Trial)
  public void setUp() throws InvalidProtocolBufferException {
    Tensor tensor = BenchTensors.payload(payload);
    InferInputTensor.Builder input = InferInputTensor.newBuilder()
        .setName(tensor.name())
        .setDatatype(tensor.type().v2Name());
    for (int d = 0; d < tensor.rank(); d++) {
      input.addShape(tensor.dim(d));
    }
    requestBytes = ModelInferRequest.newBuilder()
        .setModelName("bench")
        .setId("42")
        .addInputs(input)
        .addOutputs(InferRequestedOutputTensor.newBuilder().setName("output"))
        .addRawInputContents(ByteString.copyFrom(tensor.data()))
        .build()
        .toByteArray();
    response = new V2InferResponse(
        "bench", "1", "42", List.of(tensor.withName("output")), List.of(false));

    // Fail here, once, rather than measure an exception path.
    List<Tensor> decoded = decodeRaw().inputs();
    if (decoded.size() != 1 || !decoded.get(0).data().equals(tensor.data())) {
      throw new IllegalStateException(
          "the " + payload + " request decodes to " + decoded + " (expected: [" + tensor + "])");
    }
  }

  @Benchmark
  public V2InferRequest decodeRaw() throws InvalidProtocolBufferException {
    return GrpcCodecs.decode(ModelInferRequest.parseFrom(requestBytes), Long.MAX_VALUE,
        NEVER);
  }

  @Benchmark
  public byte[] encodeRaw() {
    return GrpcCodecs.encode(response).toByteArray();
  }
}
