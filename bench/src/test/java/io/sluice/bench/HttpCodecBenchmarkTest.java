package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.gateway.core.V2InferRequest;
import io.sluice.runtime.Tensor;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each benchmark method once per payload, outside JMH: the codecs still take what it sends. */
class HttpCodecBenchmarkTest {

  @ParameterizedTest
  @ValueSource(strings = {BenchTensors.FP32_1X32, BenchTensors.FP32_64X32, BenchTensors.BYTES_8X1})
  void jsonAndBinaryRequestsDecodeToThePayload(String payload) {
    HttpCodecBenchmark bench = setUp(payload);
    try {
      Tensor expected = BenchTensors.payload(payload);
      for (V2InferRequest decoded : List.of(bench.decodeJson(), bench.decodeBinary())) {
        Tensor input = decoded.inputs().get(0);
        assertThat(input.shape()).containsExactly(expected.shape());
        assertThat(input.data()).isEqualTo(expected.data());
      }
    } finally {
      bench.tearDown();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {BenchTensors.FP32_1X32, BenchTensors.FP32_64X32, BenchTensors.BYTES_8X1})
  void binaryResponsesAreSmallerThanJsonOnesForFloats(String payload) {
    HttpCodecBenchmark bench = setUp(payload);
    try {
      int json = bench.encodeJson();
      int binary = bench.encodeBinary();
      assertThat(binary).isPositive();
      if (!payload.equals(BenchTensors.BYTES_8X1)) {
        assertThat(binary).isLessThan(json);
      }
    } finally {
      bench.tearDown();
    }
  }

  private static HttpCodecBenchmark setUp(String payload) {
    HttpCodecBenchmark bench = new HttpCodecBenchmark();
    bench.payload = payload;
    bench.setUp();
    return bench;
  }
}
