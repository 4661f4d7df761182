package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.proto.inference.GrpcService.ModelInferResponse;
import io.sluice.runtime.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each benchmark method once per payload, outside JMH: the codecs still take what it sends. */
class GrpcCodecBenchmarkTest {

  @ParameterizedTest
  @ValueSource(strings = {BenchTensors.FP32_1X32, BenchTensors.FP32_64X32, BenchTensors.BYTES_8X1})
  void rawRequestsDecodeAndResponsesEncodeThePayload(String payload) throws Exception {
    GrpcCodecBenchmark bench = new GrpcCodecBenchmark();
    bench.payload = payload;
    bench.setUp();
    Tensor expected = BenchTensors.payload(payload);

    Tensor input = bench.decodeRaw().inputs().get(0);
    ModelInferResponse response = ModelInferResponse.parseFrom(bench.encodeRaw());

    assertThat(input.data()).isEqualTo(expected.data());
    assertThat(response.getRawOutputContents(0).asReadOnlyByteBuffer())
        .isEqualTo(expected.data());
    assertThat(response.getOutputs(0).getShapeList()).containsExactly(
        expected.dim(0), expected.dim(1));
  }
}
