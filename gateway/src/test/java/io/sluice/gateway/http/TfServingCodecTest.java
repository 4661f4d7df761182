package io.sluice.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpResponse;
import io.sluice.gateway.core.ModelMetadata;
import io.sluice.gateway.core.TensorMetadata;
import io.sluice.gateway.core.V2InferResponse;
import io.sluice.runtime.DataType;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import io.sluice.runtime.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * TF Serving's REST request and answer shapes, on the examples of its documentation
 * (tensorflow.org/tfx/serving/api_rest: the tag/signal/sensor request in both formats, the
 * half_plus_three answer, b64 strings).
 */
class TfServingCodecTest {
  private static final ModelMetadata THREE_INPUTS = new ModelMetadata("m", List.of("1"),
      "tensorflow_savedmodel",
      List.of(new TensorMetadata("tag", DataType.BYTES, new long[] {-1}),
          new TensorMetadata("signal", DataType.INT32, new long[] {-1, 5}),
          new TensorMetadata("sensor", DataType.FP32, new long[] {-1, 2, 2})),
      List.of(new TensorMetadata("out", DataType.FP32, new long[] {-1})));
  private static final ModelMetadata ONE_INPUT = new ModelMetadata("half_plus_three",
      List.of("1"), "tensorflow_savedmodel",
      List.of(new TensorMetadata("x", DataType.FP32, new long[] {-1})),
      List.of(new TensorMetadata("y", DataType.FP32, new long[] {-1})));
  private static final Set<String> SIGNATURES = Set.of("serving_default");

  private static TfServingRequests.Decoded decode(String json, ModelMetadata model) {
    return TfServingRequests.decode(
        Unpooled.copiedBuffer(json, StandardCharsets.UTF_8), model, SIGNATURES);
  }

  private static String body(FullHttpResponse r) {
    ByteBuf c = r.content();
    try {
      return c.toString(StandardCharsets.UTF_8);
    } finally {
      r.release();
    }
  }

  private static void assertSameTensors(List<Tensor> a, List<Tensor> b) {
    assertThat(a).hasSameSizeAs(b);
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i).name()).isEqualTo(b.get(i).name());
      assertThat(a.get(i).type()).isEqualTo(b.get(i).type());
      assertThat(a.get(i).shape()).isEqualTo(b.get(i).shape());
      assertThat(a.get(i).data()).isEqualTo(b.get(i).data());
    }
  }

  @Test
  void theDocumentedRowRequestStacksInstancesIntoABatch() {
    TfServingRequests.Decoded d = decode("""
        {"instances": [
          {"tag": "foo", "signal": [1, 2, 3, 4, 5], "sensor": [[1, 2], [3, 4]]},
          {"tag": "bar", "signal": [3, 4, 1, 2, 5], "sensor": [[4, 5], [6, 8]]}]}""",
        THREE_INPUTS);
    assertThat(d.rows()).isTrue();
    assertThat(d.inputs()).extracting(Tensor::name).containsExactly("tag", "signal", "sensor");
    Tensor tag = d.inputs().get(0);
    assertThat(tag.shape()).containsExactly(2);
    assertThat(tag.bytesElements()).extracting(b -> new String(b, StandardCharsets.UTF_8))
        .containsExactly("foo", "bar");
    assertThat(d.inputs().get(1).shape()).containsExactly(2, 5);
    assertThat(d.inputs().get(1).data().getInt(5 * 4)).isEqualTo(3);
    assertThat(d.inputs().get(2).shape()).containsExactly(2, 2, 2);
    assertThat(d.inputs().get(2).data().getFloat(7 * 4)).isEqualTo(8f);
  }

  @Test
  void theDocumentedColumnarRequestGivesTheSameTensors() {
    TfServingRequests.Decoded rows = decode("""
        {"instances": [
          {"tag": "foo", "signal": [1, 2, 3, 4, 5], "sensor": [[1, 2], [3, 4]]},
          {"tag": "bar", "signal": [3, 4, 1, 2, 5], "sensor": [[4, 5], [6, 8]]}]}""",
        THREE_INPUTS);
    TfServingRequests.Decoded columns = decode("""
        {"inputs": {
          "tag": ["foo", "bar"],
          "signal": [[1, 2, 3, 4, 5], [3, 4, 1, 2, 5]],
          "sensor": [[[1, 2], [3, 4]], [[4, 5], [6, 8]]]}}""", THREE_INPUTS);
    assertThat(columns.rows()).isFalse();
    assertSameTensors(columns.inputs(), rows.inputs());
  }

  @Test
  void aModelWithOneInputTakesUnnamedRowsAndColumns() {
    TfServingRequests.Decoded rows =
        decode("{\"instances\": [1.0, 2.0, 5.0]}", ONE_INPUT);
    TfServingRequests.Decoded columns = decode("{\"inputs\": [1.0, 2.0, 5.0]}", ONE_INPUT);
    assertThat(rows.inputs().get(0).shape()).containsExactly(3);
    assertSameTensors(rows.inputs(), columns.inputs());
  }

  @Test
  void b64ValuesAreBinaryStrings() {
    ModelMetadata bytes = new ModelMetadata("b", List.of("1"), "p",
        List.of(new TensorMetadata("image_bytes", DataType.BYTES, new long[] {-1})),
        List.of());
    TfServingRequests.Decoded d =
        decode("{\"instances\": [{\"b64\": \"AP8=\"}, \"text\"]}", bytes);
    assertThat(d.inputs().get(0).bytesElements())
        .containsExactly(new byte[] {0, (byte) 0xFF}, "text".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aRowAnswerWithOneOutputIsAListOfValues() {
    V2InferResponse r = new V2InferResponse("half_plus_three", "1", "",
        List.of(Tensor.ofFloats("y", new long[] {3}, 3.5f, 4f, 5.5f)), List.of(false));
    assertThat(body(TfServingResponses.predict(r, true)))
        .isEqualTo("{\"predictions\":[3.5,4.0,5.5]}");
    assertThat(body(TfServingResponses.predict(r, false)))
        .isEqualTo("{\"outputs\":[3.5,4.0,5.5]}");
  }

  @Test
  void aRowAnswerWithManyOutputsIsAListOfObjects() {
    V2InferResponse r = new V2InferResponse("m", "1", "",
        List.of(Tensor.ofFloats("scores", new long[] {2, 2}, 0.1f, 0.9f, 0.8f, 0.2f),
            Tensor.ofLongs("label", new long[] {2}, 1, 0),
            Tensor.ofBytes("name_bytes", new long[] {2},
                List.of(new byte[] {0}, "x".getBytes(StandardCharsets.UTF_8)))),
        List.of(false, false, false));
    assertThat(body(TfServingResponses.predict(r, true))).isEqualTo(
        "{\"predictions\":[{\"scores\":[0.1,0.9],\"label\":1,\"name_bytes\":{\"b64\":\"AA==\"}},"
            + "{\"scores\":[0.8,0.2],\"label\":0,\"name_bytes\":{\"b64\":\"eA==\"}}]}");
    assertThat(body(TfServingResponses.predict(r, false))).isEqualTo(
        "{\"outputs\":{\"scores\":[[0.1,0.9],[0.8,0.2]],\"label\":[1,0],"
            + "\"name_bytes\":[{\"b64\":\"AA==\"},{\"b64\":\"eA==\"}]}}");
  }

  @Test
  void malformedRequestsAreInvalidArguments() {
    for (String bad : List.of(
        "[1]",
        "{\"instances\": [1], \"inputs\": [1]}",
        "{}",
        "{\"instances\": []}",
        "{\"instances\": [[1, 2], [3]]}",
        "{\"instances\": [\"a\"]}",
        "{\"instances\": [1], \"signature_name\": \"other\"}",
        "{\"instances\": [{\"tag\": \"foo\"}]}",
        "{not json")) {
      ModelMetadata model = bad.contains("tag") ? THREE_INPUTS : ONE_INPUT;
      assertThatThrownBy(() -> decode(bad, model)).as(bad)
          .isInstanceOfSatisfying(StatusException.class,
              e -> assertThat(e.status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }
    assertThatThrownBy(() -> decode("{\"instances\": [1, 2]}", THREE_INPUTS))
        .hasMessageContaining("objects naming");
  }

  @Test
  void halfFloatsReadAsTheirValues() {
    assertThat(TfServingResponses.halfToFloat((short) 0x3C00)).isEqualTo(1f);
    assertThat(TfServingResponses.halfToFloat((short) 0xC000)).isEqualTo(-2f);
    assertThat(TfServingResponses.halfToFloat((short) 0x0001)).isEqualTo(5.9604645e-8f);
    assertThat(TfServingResponses.halfToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
  }
}
