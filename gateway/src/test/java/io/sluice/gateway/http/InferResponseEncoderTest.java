package io.sluice.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.sluice.gateway.core.V2InferRequest;
import io.sluice.gateway.core.V2InferResponse;
import io.sluice.runtime.DataType;
import io.sluice.runtime.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InferResponseEncoderTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final List<FullHttpResponse> responses = new ArrayList<>();

  @AfterEach
  void everyResponseIsReleasedCompletely() {
    for (FullHttpResponse r : responses) {
      assertThat(r.release()).isTrue();
      assertThat(r.refCnt()).isZero();
    }
  }

  private FullHttpResponse encode(List<Tensor> outputs, DecodedInferRequest request) {
    V2InferResponse response = new V2InferResponse("m", "1", request.request().id(), outputs,
        Collections.nCopies(outputs.size(), false));
    FullHttpResponse r = InferResponseEncoder.encode(PooledByteBufAllocator.DEFAULT, response,
        request);
    responses.add(r);
    return r;
  }

  private static DecodedInferRequest jsonRequest() {
    return new DecodedInferRequest(V2InferRequest.of("", List.of()), false, Map.of());
  }

  private static DecodedInferRequest binaryRequest() {
    return new DecodedInferRequest(V2InferRequest.of("", List.of()), true, Map.of());
  }

  private static JsonNode header(FullHttpResponse r) throws IOException {
    String length = r.headers().get(InferRequestDecoder.HEADER_CONTENT_LENGTH);
    int n = length == null ? r.content().readableBytes() : Integer.parseInt(length);
    return MAPPER.readTree(r.content().toString(0, n, StandardCharsets.UTF_8));
  }

  private static byte[] binarySection(FullHttpResponse r) {
    int n = Integer.parseInt(r.headers().get(InferRequestDecoder.HEADER_CONTENT_LENGTH));
    ByteBuf c = r.content();
    return ByteBufUtil.getBytes(c, n, c.readableBytes() - n);
  }

  private static Tensor tensor(String name, DataType type, long[] shape, int size,
      java.util.function.Consumer<ByteBuffer> fill) {
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    fill.accept(b);
    b.flip();
    return Tensor.of(name, type, shape, b);
  }

  @Test
  void aJsonOutputHasDataAndNoParametersObject() throws IOException {
    FullHttpResponse r = encode(
        List.of(Tensor.ofFloats("y", new long[] {1, 2}, 0.5f, -1f)), jsonRequest());
    JsonNode y = header(r).get("outputs").get(0);
    assertThat(y.has("parameters")).isFalse();
    assertThat(y.get("datatype").asText()).isEqualTo("FP32");
    assertThat(y.get("shape").toString()).isEqualTo("[1,2]");
    assertThat(y.get("data").toString()).isEqualTo("[0.5,-1.0]");
    assertThat(r.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
    assertThat(r.headers().contains(InferRequestDecoder.HEADER_CONTENT_LENGTH)).isFalse();
  }

  @Test
  void theHeaderNamesTheModelAndVersionAndOmitsAnAbsentId() throws IOException {
    JsonNode h = header(encode(List.of(), jsonRequest()));
    assertThat(h.get("model_name").asText()).isEqualTo("m");
    assertThat(h.get("model_version").asText()).isEqualTo("1");
    assertThat(h.has("id")).isFalse();
  }

  @Test
  void theIdIsEchoedWhenTheRequestHadOne() throws IOException {
    DecodedInferRequest d =
        new DecodedInferRequest(V2InferRequest.of("req-1", List.of()), false, Map.of());
    assertThat(header(encode(List.of(), d)).get("id").asText()).isEqualTo("req-1");
  }

  @Test
  void aBinaryOutputHasItsSizeAndItsBytesFollowTheJson() throws IOException {
    FullHttpResponse r = encode(
        List.of(Tensor.ofFloats("y", new long[] {2}, 1f, 2f)), binaryRequest());
    JsonNode y = header(r).get("outputs").get(0);
    assertThat(y.has("data")).isFalse();
    assertThat(y.get("parameters").get("binary_data_size").asInt()).isEqualTo(8);
    ByteBuffer bytes = ByteBuffer.wrap(binarySection(r)).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(bytes.getFloat(0)).isEqualTo(1f);
    assertThat(bytes.getFloat(4)).isEqualTo(2f);
    assertThat(r.headers().get(HttpHeaderNames.CONTENT_TYPE))
        .isEqualTo("application/octet-stream");
    assertThat(r.headers().getInt(HttpHeaderNames.CONTENT_LENGTH))
        .isEqualTo(r.content().readableBytes());
  }

  @Test
  void binaryBytesOutputsKeepTheirLengthPrefixes() {
    FullHttpResponse r = encode(
        List.of(Tensor.ofStrings("s", new long[] {2}, List.of("ab", ""))), binaryRequest());
    assertThat(ByteBufUtil.hexDump(binarySection(r))).isEqualTo("02000000616200000000");
  }

  @Test
  void binaryAndJsonOutputsMixInOutputOrder() throws IOException {
    DecodedInferRequest d = new DecodedInferRequest(V2InferRequest.of("", List.of()), false,
        Map.of("a", true, "b", false, "c", true));
    FullHttpResponse r = encode(List.of(
        Tensor.ofLongs("a", new long[] {1}, 7), Tensor.ofLongs("b", new long[] {1}, 8),
        Tensor.ofLongs("c", new long[] {1}, 9)), d);
    JsonNode outputs = header(r).get("outputs");
    assertThat(outputs.get(0).has("data")).isFalse();
    assertThat(outputs.get(1).get("data").toString()).isEqualTo("[8]");
    assertThat(outputs.get(2).has("data")).isFalse();
    ByteBuffer bytes = ByteBuffer.wrap(binarySection(r)).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(bytes.remaining()).isEqualTo(16);
    assertThat(bytes.getLong(0)).isEqualTo(7L);
    assertThat(bytes.getLong(8)).isEqualTo(9L);
  }

  @Test
  void theCoresBinaryFlagIsHonouredForOutputsTheRequestDidNotName() {
    V2InferResponse response = new V2InferResponse("m", "1", "",
        List.of(Tensor.ofLongs("a", new long[] {1}, 7)), List.of(true));
    FullHttpResponse r = InferResponseEncoder.encode(PooledByteBufAllocator.DEFAULT, response,
        jsonRequest());
    responses.add(r);
    assertThat(r.headers().getInt(InferRequestDecoder.HEADER_CONTENT_LENGTH)).isNotNull();
  }

  @Test
  void bytesOutputsInJsonAreUtf8Strings() throws IOException {
    FullHttpResponse r = encode(
        List.of(Tensor.ofStrings("s", new long[] {3}, List.of("ab", "", "é"))), jsonRequest());
    assertThat(header(r).get("outputs").get(0).get("data").toString())
        .isEqualTo("[\"ab\",\"\",\"é\"]");
  }

  @Test
  void invalidUtf8InABytesOutputBecomesAReplacementCharacter() throws IOException {
    FullHttpResponse r = encode(List.of(Tensor.ofBytes("s", new long[] {1},
        List.of(new byte[] {'a', (byte) 0xFF}))), jsonRequest());
    assertThat(header(r).get("outputs").get(0).get("data").get(0).asText())
        .isEqualTo("a\uFFFD");
  }

  @Test
  void nanAndInfinityAreWrittenAsStringsSoTheJsonStaysValid() throws IOException {
    FullHttpResponse r = encode(List.of(Tensor.ofFloats("y", new long[] {3}, Float.NaN,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY)), jsonRequest());
    assertThat(header(r).get("outputs").get(0).get("data").toString())
        .isEqualTo("[\"NaN\",\"Infinity\",\"-Infinity\"]");
  }

  @Test
  void floatsArePrintedWithRoundTripPrecision() throws IOException {
    float value = 0.1f + 0.2f;
    FullHttpResponse r = encode(List.of(Tensor.ofFloats("y", new long[] {1}, value)),
        jsonRequest());
    String printed = header(r).get("outputs").get(0).get("data").get(0).asText();
    assertThat(Float.parseFloat(printed)).isEqualTo(value);
  }

  @Test
  void everyIntegerTypeIsPrintedWithItsSignedness() throws IOException {
    List<Tensor> outputs = List.of(
        tensor("u8", DataType.UINT8, new long[] {1}, 1, b -> b.put((byte) 0xFF)),
        tensor("i8", DataType.INT8, new long[] {1}, 1, b -> b.put((byte) 0xFF)),
        tensor("u16", DataType.UINT16, new long[] {1}, 2, b -> b.putShort((short) 0xFFFF)),
        tensor("i16", DataType.INT16, new long[] {1}, 2, b -> b.putShort((short) -2)),
        tensor("u32", DataType.UINT32, new long[] {1}, 4, b -> b.putInt(-1)),
        tensor("i32", DataType.INT32, new long[] {1}, 4, b -> b.putInt(-3)),
        tensor("u64", DataType.UINT64, new long[] {1}, 8, b -> b.putLong(-1L)),
        tensor("bool", DataType.BOOL, new long[] {2}, 2, b -> b.put((byte) 1).put((byte) 0)));
    JsonNode out = header(encode(outputs, jsonRequest())).get("outputs");
    assertThat(out.get(0).get("data").toString()).isEqualTo("[255]");
    assertThat(out.get(1).get("data").toString()).isEqualTo("[-1]");
    assertThat(out.get(2).get("data").toString()).isEqualTo("[65535]");
    assertThat(out.get(3).get("data").toString()).isEqualTo("[-2]");
    assertThat(out.get(4).get("data").toString()).isEqualTo("[4294967295]");
    assertThat(out.get(5).get("data").toString()).isEqualTo("[-3]");
    assertThat(out.get(6).get("data").toString()).isEqualTo("[18446744073709551615]");
    assertThat(out.get(7).get("data").toString()).isEqualTo("[true,false]");
  }

  @Test
  void halfPrecisionOutputsAreWidenedToJsonNumbers() throws IOException {
    List<Tensor> outputs = List.of(
        tensor("h", DataType.FP16, new long[] {3}, 6,
            b -> b.putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x0001)),
        tensor("bf", DataType.BF16, new long[] {1}, 2, b -> b.putShort((short) 0x3FC0)));
    JsonNode out = header(encode(outputs, jsonRequest())).get("outputs");
    assertThat(out.get(0).get("data").get(0).floatValue()).isEqualTo(1f);
    assertThat(out.get(0).get("data").get(1).floatValue()).isEqualTo(-2f);
    assertThat(out.get(0).get("data").get(2).floatValue()).isEqualTo(Math.scalb(1f, -24));
    assertThat(out.get(1).get("data").get(0).floatValue()).isEqualTo(1.5f);
  }
}
