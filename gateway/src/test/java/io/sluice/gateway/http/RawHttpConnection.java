package io.sluice.gateway.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One plain TCP connection speaking HTTP/1.1 by hand, for what {@code java.net.http} hides:
 * several requests on the same connection, exact bytes, 100-continue.
 */
final class RawHttpConnection implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawHttpConnection(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    in = new BufferedInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  /** A response: status, headers with lower-case names, body. */
  record Response(int status, Map<String, String> headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** POSTs {@code body} with the given extra header lines (each ending in CRLF). */
  Response post(String path, String headers, byte[] body) throws IOException {
    write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + body.length
        + "\r\n" + headers + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    try {
      write(body);
    } catch (SocketException answeredAndClosedMidBody) {
      // A server that refuses the body (413, say) answers and closes before it has all arrived;
      // like curl, read the answer it sent rather than fail on the rest of the upload.
    }
    return read();
  }

  Response get(String path) throws IOException {
    write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1));
    return read();
  }

  Response read() throws IOException {
    String statusLine = line();
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = new TreeMap<>();
    for (String h; !(h = line()).isEmpty(); ) {
      int colon = h.indexOf(':');
      headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          h.substring(colon + 1).trim());
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    return new Response(status, headers, in.readNBytes(length));
  }

  /** True when the server has closed its side. */
  boolean isClosedByServer() throws IOException {
    return in.read() == -1;
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c; (c = in.read()) != '\n'; ) {
      if (c == -1) {
        throw new IOException("connection closed by the server");
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
