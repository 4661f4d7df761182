package io.sluice.gateway.http;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * The package's one {@link JsonFactory}, and JSON written straight into a {@link ByteBuf}.
 *
 * <p>Reading accepts the bare {@code NaN} and {@code Infinity} that Python's {@code json.dumps}
 * writes for float tensors. Writing quotes them ({@code "NaN"}, {@code "Infinity"}, {@code
 * "-Infinity"}) so that every response is valid JSON; numpy and protobuf's JSON mapping read
 * those strings back as the same floats.
 */
final class Json {
  static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
          // Float tensors are mostly numbers: Jackson's fast parser and writer for them (the
          // codec benchmark measured ~230 ns to parse and ~150 ns to write a float without).
          .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
          .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
          .build();

  private Json() {}

  /** What writes one JSON document. */
  @FunctionalInterface
  interface Body {
    void writeTo(JsonGenerator generator) throws IOException;
  }

  /** A parser over {@code length} bytes of {@code buf} from {@code index}; no copy, no release. */
  static JsonParser parser(ByteBuf buf, int index, int length) throws IOException {
    InputStream in = new ByteBufInputStream(buf.slice(index, length), false);
    return FACTORY.createParser(in);
  }

  /** Writes {@code body} into a new buffer from {@code alloc}; the caller owns the buffer. */
  static ByteBuf write(ByteBufAllocator alloc, Body body) {
    ByteBuf buf = alloc.buffer();
    // A plain OutputStream: ByteBufOutputStream is also a DataOutput, which Jackson overloads.
    OutputStream out = new ByteBufOutputStream(buf);
    boolean done = false;
    try (JsonGenerator generator = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      body.writeTo(generator);
      done = true;
    } catch (IOException e) {
      // Only a bug can get here: a ByteBuf does not fail to grow short of the JVM's limits.
      throw new UncheckedIOException(e);
    } finally {
      if (!done) {
        buf.release();
      }
    }
    return buf;
  }
}
