package io.sluice.gateway.grpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * HTTP/2 frames written and read by hand over a plain socket, for what a gRPC client never does:
 * send one message a byte at a time. Headers are HPACK-coded with Netty's codec; nothing else of
 * HTTP/2 is implemented beyond what a single call needs.
 */
final class RawHttp2Connection implements AutoCloseable {
  static final int DATA = 0x0;
  static final int HEADERS = 0x1;
  static final int SETTINGS = 0x4;
  static final int GOAWAY = 0x7;
  private static final int END_STREAM = 0x1;
  private static final int ACK = 0x1;
  private static final int END_HEADERS = 0x4;

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
  private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder();
  private final List<Integer> seen = new ArrayList<>();

  RawHttp2Connection(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  /** The client preface and an empty SETTINGS; then acknowledges the server's SETTINGS. */
  void handshake() throws IOException {
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(SETTINGS, 0, 0, new byte[0]);
    for (Frame f; (f = read()).type != SETTINGS || (f.flags & ACK) != 0; ) {
      // skip until the server's own SETTINGS
    }
    frame(SETTINGS, ACK, 0, new byte[0]);
  }

  void headers(int stream, Http2Headers headers) throws IOException, Http2Exception {
    ByteBuf block = Unpooled.buffer();
    encoder.encodeHeaders(stream, headers, block);
    byte[] bytes = new byte[block.readableBytes()];
    block.readBytes(bytes);
    block.release();
    frame(HEADERS, END_HEADERS, stream, bytes);
  }

  void data(int stream, byte[] payload, boolean last) throws IOException {
    frame(DATA, last ? END_STREAM : 0, stream, payload);
  }

  /** Reads frames until the response HEADERS of {@code stream} and decodes them. */
  Http2Headers readResponseHeaders(int stream) throws IOException, Http2Exception {
    for (Frame f; ; ) {
      f = read();
      if (f.type == HEADERS && f.stream == stream) {
        ByteBuf block = Unpooled.wrappedBuffer(f.payload);
        try {
          return decoder.decodeHeaders(stream, block);
        } finally {
          block.release();
        }
      }
    }
  }

  /** The type of every frame read so far. */
  List<Integer> framesSeen() {
    return seen;
  }

  private record Frame(int type, int flags, int stream, byte[] payload) {}

  private Frame read() throws IOException {
    int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
    int type = in.readUnsignedByte();
    int flags = in.readUnsignedByte();
    int stream = in.readInt() & 0x7fffffff;
    byte[] payload = new byte[length];
    in.readFully(payload);
    seen.add(type);
    return new Frame(type, flags, stream, payload);
  }

  private void frame(int type, int flags, int stream, byte[] payload) throws IOException {
    byte[] head = {
      (byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
      (byte) type, (byte) flags,
      (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream
    };
    out.write(head);
    out.write(payload);
    out.flush();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
