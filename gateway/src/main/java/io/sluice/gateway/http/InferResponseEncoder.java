package io.sluice.gateway.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.gateway.core.V2InferResponse;
import io.sluice.runtime.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes an inference result: a JSON header, then, for outputs that go binary, their bytes in
 * output order, wrapped straight from the tensors' buffers without a copy.
 *
 * <p>A JSON output has {@code data} and no {@code parameters} object at all (the C++ client
 * takes a {@code parameters} object to mean binary data). A binary output has {@code
 * "parameters":{"binary_data_size":N}} and no {@code data}; the response then carries {@code
 * Inference-Header-Content-Length} and {@code Content-Type: application/octet-stream}.
 *
 * <p>In JSON, BYTES elements are decoded as UTF-8 and malformed sequences become U+FFFD (the
 * JSON stays valid; a client that needs the exact bytes asks for binary output). FP16 and BF16
 * outputs are widened to JSON numbers, although the protocol refuses them as JSON inputs. NaN and
 * infinities are written as the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}.
 */
final class InferResponseEncoder {
  static final String APPLICATION_OCTET_STREAM = "application/octet-stream";

  private InferResponseEncoder() {}

  static FullHttpResponse encode(
      ByteBufAllocator alloc, V2InferResponse response, DecodedInferRequest request) {
    List<Tensor> outputs = response.outputs();
    boolean[] binary = new boolean[outputs.size()];
    int binaryCount = 0;
    for (int i = 0; i < binary.length; i++) {
      boolean askedByCore =
          i < response.binaryData().size() && Boolean.TRUE.equals(response.binaryData().get(i));
      binary[i] = request.isBinary(outputs.get(i).name(), askedByCore);
      binaryCount += binary[i] ? 1 : 0;
    }
    ByteBuf json = Json.write(alloc, g -> writeHeader(g, response, request, binary));
    int jsonLength = json.readableBytes();
    ByteBuf content = json;
    if (binaryCount > 0) {
      CompositeByteBuf composite = alloc.compositeBuffer(1 + binaryCount);
      composite.addComponent(true, json);
      for (int i = 0; i < binary.length; i++) {
        if (binary[i]) {
          composite.addComponent(true, Unpooled.wrappedBuffer(outputs.get(i).data()));
        }
      }
      content = composite;
    }
    FullHttpResponse http =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
    http.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
    if (binaryCount > 0) {
      http.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, APPLICATION_OCTET_STREAM)
          .setInt(InferRequestDecoder.HEADER_CONTENT_LENGTH, jsonLength);
    } else {
      http.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpResponses.APPLICATION_JSON);
    }
    return http;
  }

  private static void writeHeader(JsonGenerator g, V2InferResponse response,
      DecodedInferRequest request, boolean[] binary) throws IOException {
    g.writeStartObject();
    g.writeStringField("model_name", response.modelName());
    g.writeStringField("model_version", response.modelVersion());
    // The client's id, or the one the pipeline made for a request without (never empty then).
    if (!response.id().isEmpty()) {
      g.writeStringField("id", response.id());
    }
    g.writeArrayFieldStart("outputs");
    List<Tensor> outputs = response.outputs();
    for (int i = 0; i < binary.length; i++) {
      Tensor t = outputs.get(i);
      g.writeStartObject();
      g.writeStringField("name", t.name());
      g.writeStringField("datatype", t.type().v2Name());
      g.writeArrayFieldStart("shape");
      for (int d = 0; d < t.rank(); d++) {
        g.writeNumber(t.dim(d));
      }
      g.writeEndArray();
      if (binary[i]) {
        g.writeObjectFieldStart("parameters");
        g.writeNumberField("binary_data_size", t.byteSize());
        g.writeEndObject();
      } else {
        g.writeFieldName("data");
        writeData(g, t);
      }
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  /** Writes the elements as one flat JSON array, as Triton does. */
  static void writeData(JsonGenerator g, Tensor t) throws IOException {
    ByteBuffer b = t.data();
    int n = b.remaining();
    g.writeStartArray();
    switch (t.type()) {
      case BOOL:
        for (int i = 0; i < n; i++) {
          g.writeBoolean(b.get(i) != 0);
        }
        break;
      case INT8:
        for (int i = 0; i < n; i++) {
          g.writeNumber(b.get(i));
        }
        break;
      case UINT8:
        for (int i = 0; i < n; i++) {
          g.writeNumber(b.get(i) & 0xFF);
        }
        break;
      case INT16:
        for (int i = 0; i < n; i += 2) {
          g.writeNumber(b.getShort(i));
        }
        break;
      case UINT16:
        for (int i = 0; i < n; i += 2) {
          g.writeNumber(b.getShort(i) & 0xFFFF);
        }
        break;
      case INT32:
        for (int i = 0; i < n; i += 4) {
          g.writeNumber(b.getInt(i));
        }
        break;
      case UINT32:
        for (int i = 0; i < n; i += 4) {
          g.writeNumber(Integer.toUnsignedLong(b.getInt(i)));
        }
        break;
      case INT64:
        for (int i = 0; i < n; i += 8) {
          g.writeNumber(b.getLong(i));
        }
        break;
      case UINT64:
        for (int i = 0; i < n; i += 8) {
          long v = b.getLong(i);
          if (v >= 0) {
            g.writeNumber(v);
          } else {
            g.writeNumber(Long.toUnsignedString(v));
          }
        }
        break;
      case FP16:
        for (int i = 0; i < n; i += 2) {
          g.writeNumber(halfToFloat(b.getShort(i)));
        }
        break;
      case BF16:
        for (int i = 0; i < n; i += 2) {
          g.writeNumber(Float.intBitsToFloat((b.getShort(i) & 0xFFFF) << 16));
        }
        break;
      case FP32:
        for (int i = 0; i < n; i += 4) {
          g.writeNumber(b.getFloat(i));
        }
        break;
      case FP64:
        for (int i = 0; i < n; i += 8) {
          g.writeNumber(b.getDouble(i));
        }
        break;
      case BYTES:
        writeBytesElements(g, b);
        break;
      default:
        throw new IllegalStateException("no JSON form for " + t.type());
    }
    g.writeEndArray();
  }

  private static void writeBytesElements(JsonGenerator g, ByteBuffer b) throws IOException {
    byte[] scratch = new byte[64];
    int pos = 0;
    while (pos < b.limit()) {
      int len = b.getInt(pos);
      if (scratch.length < len) {
        scratch = new byte[len];
      }
      b.get(pos + 4, scratch, 0, len);
      // new String replaces malformed UTF-8 with U+FFFD, so the JSON stays valid.
      g.writeString(new String(scratch, 0, len, StandardCharsets.UTF_8));
      pos += 4 + len;
    }
  }

  /** IEEE 754 half precision to float; exact. */
  static float halfToFloat(short half) {
    int bits = half & 0xFFFF;
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1F;
    int mantissa = bits & 0x3FF;
    if (exponent == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F80_0000 | mantissa << 13);
    }
    if (exponent == 0) {
      float magnitude = Math.scalb((float) mantissa, -24);
      return sign == 0 ? magnitude : -magnitude;
    }
    return Float.intBitsToFloat(sign | (exponent + 112) << 23 | mantissa << 13);
  }
}
