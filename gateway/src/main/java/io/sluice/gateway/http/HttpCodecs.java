package io.sluice.gateway.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.sluice.gateway.core.V2InferRequest;
import io.sluice.gateway.core.V2InferResponse;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * The HTTP/REST codec of KServe V2 as a public surface for the benchmarks ({@code bench}), and
 * nothing else: {@link InferRequestDecoder} and {@link InferResponseEncoder} stay
 * package-private, and these calls reach them exactly as {@code RequestDispatcher} does, without
 * Netty's HTTP parsing, routing or the socket. Not for serving code; the pipeline calls the codec
 * directly.
 */
public final class HttpCodecs {
  /** The header that gives the JSON part's length in a binary-extension body. */
  public static final String HEADER_CONTENT_LENGTH = InferRequestDecoder.HEADER_CONTENT_LENGTH;

  /** The content type of an all-JSON body. */
  public static final String APPLICATION_JSON = HttpResponses.APPLICATION_JSON;

  /** The content type of a body with a binary section. */
  public static final String APPLICATION_OCTET_STREAM =
      InferResponseEncoder.APPLICATION_OCTET_STREAM;

  private HttpCodecs() {}

  /**
   * Decodes an aggregated {@code POST .../infer} request; the body is neither moved nor released.
   *
   * @throws io.sluice.runtime.StatusException INVALID_ARGUMENT for a malformed request
   */
  public static V2InferRequest decode(FullHttpRequest request, BooleanSupplier cancelled) {
    return InferRequestDecoder.decode(request, cancelled).request();
  }

  /**
   * How a response is to be written, as a decoded request would ask for it: made once, encoded
   * with many times.
   *
   * @param binaryOutputs whether every output goes in the binary section ({@code
   *     binary_data_output})
   */
  public static Encoding encoding(V2InferRequest request, boolean binaryOutputs) {
    return new Encoding(new DecodedInferRequest(request, binaryOutputs, Map.of()));
  }

  /** Encodes {@code response} into {@code alloc}'s buffers; the caller releases the result. */
  public static FullHttpResponse encode(
      ByteBufAllocator alloc, V2InferResponse response, Encoding encoding) {
    return InferResponseEncoder.encode(alloc, response, encoding.asked);
  }

  /** An opaque {@link #encoding} for {@link #encode}. */
  public static final class Encoding {
    final DecodedInferRequest asked;

    Encoding(DecodedInferRequest asked) {
      this.asked = Objects.requireNonNull(asked, "asked");
    }
  }
}
