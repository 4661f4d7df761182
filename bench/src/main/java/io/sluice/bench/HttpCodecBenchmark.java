package io.sluice.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.gateway.core.V2InferRequest;
import io.sluice.gateway.core.V2InferResponse;
import io.sluice.gateway.http.HttpCodecs;
import io.sluice.runtime.DataType;
import io.sluice.runtime.Tensor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The HTTP/REST codec of KServe V2 on its own: the gateway's request decoder and response
 * encoder, called the way {@code RequestDispatcher} calls them, without Netty's HTTP parsing,
 * routing or the socket. Both are package-private; it reaches them through the gateway's public
 * benchmark facade, {@link HttpCodecs}.
 *
 * <p>Each payload ({@link BenchTensors#payload}) is sent two ways, as clients send it: as JSON
 * {@code data} written the way Python's {@code json} writes a float32 array (shortest double
 * repr), and with the binary tensor extension ({@code binary_data_size} in a JSON header, raw
 * bytes after it, {@code Inference-Header-Content-Length}). Request bodies sit in a direct
 * buffer, like the aggregated request an event loop hands over, and are decoded again on every
 * call (the decoder neither moves nor releases them). Encoding writes the same tensor back as the
 * one output of a response, into the default allocator's buffers like a channel's, and releases
 * the response, as the write would.
 */
@State(Scope.Benchmark)
public class HttpCodecBenchmark extends SluiceBenchmark {
  private static final BooleanSupplier NEVER = () -> false;

  @Param({BenchTensors.FP32_1X32, BenchTensors.FP32_64X32, BenchTensors.BYTES_8X1})
  public String payload;

  private FullHttpRequest jsonRequest;
  private FullHttpRequest binaryRequest;
  private V2InferResponse response;
  private HttpCodecs.Encoding askedJson;
  private HttpCodecs.Encoding askedBinary;

  @Setup(Level.Trial)
  public void setUp() {
    Tensor tensor = BenchTensors.payload(payload);
    String jsonInput = "{\"name\":\"" + tensor.name() + "\",\"shape\":" + shape(tensor)
        + ",\"datatype\":\"" + tensor.type().v2Name() + "\",\"data\":" + jsonData(tensor) + "}";
    jsonRequest = request(
        "{\"id\":\"42\",\"inputs\":[" + jsonInput + "],\"outputs\":[{\"name\":\"output\"}]}",
        null);
    String binaryInput = "{\"name\":\"" + tensor.name() + "\",\"shape\":" + shape(tensor)
        + ",\"datatype\":\"" + tensor.type().v2Name()
        + "\",\"parameters\":{\"binary_data_size\":" + tensor.byteSize() + "}}";
    binaryRequest = request(
        "{\"id\":\"42\",\"inputs\":[" + binaryInput + "],\"outputs\":[{\"name\":\"output\","
            + "\"parameters\":{\"binary_data\":true}}]}",
        tensor.data());

    Tensor output = tensor.withName("output");
    response = new V2InferResponse("bench", "1", "42", List.of(output), List.of(false));
    V2InferRequest core = V2InferRequest.of("42", List.of(tensor));
    askedJson = HttpCodecs.encoding(core, false);
    askedBinary = HttpCodecs.encoding(core, true);

    // Fail here, once, rather than measure an exception path.
    checkDecodes(decodeJson());
    checkDecodes(decodeBinary());
  }

  @Benchmark
  public V2InferRequest decodeJson() {
    return HttpCodecs.decode(jsonRequest, NEVER);
  }

  @Benchmark
  public V2InferRequest decodeBinary() {
    return HttpCodecs.decode(binaryRequest, NEVER);
  }

  @Benchmark
  public int encodeJson() {
    return encode(askedJson);
  }

  @Benchmark
  public int encodeBinary() {
    return encode(askedBinary);
  }

  private int encode(HttpCodecs.Encoding asked) {
    FullHttpResponse http = HttpCodecs.encode(ByteBufAllocator.DEFAULT, response, asked);
    int bytes = http.content().readableBytes();
    http.release();
    return bytes;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    jsonRequest.release();
    binaryRequest.release();
  }

  private void checkDecodes(V2InferRequest decoded) {
    List<Tensor> inputs = decoded.inputs();
    Tensor expected = BenchTensors.payload(payload);
    if (inputs.size() != 1 || !inputs.get(0).data().equals(expected.data())) {
      throw new IllegalStateException(
          "the " + payload + " request decodes to " + inputs + " (expected: [" + expected + "])");
    }
  }

  /** A POST whose body is {@code json}, then {@code binary} when given, in a direct buffer. */
  private static FullHttpRequest request(String json, ByteBuffer binary) {
    byte[] header = json.getBytes(StandardCharsets.UTF_8);
    int size = header.length + (binary == null ? 0 : binary.remaining());
    ByteBuf body = Unpooled.directBuffer(size).writeBytes(header);
    if (binary != null) {
      body.writeBytes(binary.duplicate());
    }
    FullHttpRequest request = new DefaultFullHttpRequest(
        HttpVersion.HTTP_1_1, HttpMethod.POST, "/v2/models/bench/infer", body);
    if (binary == null) {
      request.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpCodecs.APPLICATION_JSON);
    } else {
      request.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, HttpCodecs.APPLICATION_OCTET_STREAM)
          .setInt(HttpCodecs.HEADER_CONTENT_LENGTH, header.length);
    }
    return request;
  }

  private static String shape(Tensor t) {
    StringBuilder s = new StringBuilder("[");
    for (int d = 0; d < t.rank(); d++) {
      s.append(d == 0 ? "" : ",").append(t.dim(d));
    }
    return s.append(']').toString();
  }

  /** Floats as Python writes a float32 array's {@code tolist()}; strings JSON-quoted. */
  private static String jsonData(Tensor t) {
    StringBuilder s = new StringBuilder("[");
    if (t.type() == DataType.FP32) {
      ByteBuffer b = t.data();
      for (int i = 0; b.hasRemaining(); i++) {
        s.append(i == 0 ? "" : ",").append((double) b.getFloat());
      }
    } else {
      List<byte[]> elements = t.bytesElements();
      for (int i = 0; i < elements.size(); i++) {
        // The payload's strings need no escaping.
        s.append(i == 0 ? "\"" : ",\"")
            .append(new String(elements.get(i), StandardCharsets.UTF_8))
            .append('"');
      }
    }
    return s.append(']').toString();
  }
}
