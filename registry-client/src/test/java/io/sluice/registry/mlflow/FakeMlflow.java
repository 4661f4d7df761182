package io.sluice.registry.mlflow;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A scripted stand-in for an MLflow server, for the client's edge cases only (errors, retries,
 * pagination): each path answers from a queue of canned replies, the last one repeating. The
 * integration itself is proven against a real mlflow server (interop/mlflow).
 */
final class FakeMlflow implements AutoCloseable {
  record Reply(int status, String contentType, byte[] body, Map<String, String> headers,
      long declaredLength) {}

  private final HttpServer server;
  private final Map<String, Deque<Reply>> replies = new ConcurrentHashMap<>();
  final List<String> requests = java.util.Collections.synchronizedList(new ArrayList<>());
  final List<String> authorizations = java.util.Collections.synchronizedList(new ArrayList<>());

  FakeMlflow() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  FakeMlflow on(String pathAndQuery, int status, String json) {
    return on(pathAndQuery, new Reply(status, "application/json",
        json.getBytes(StandardCharsets.UTF_8), Map.of(), -1));
  }

  FakeMlflow on(String pathAndQuery, Reply reply) {
    replies.computeIfAbsent(pathAndQuery, k -> new ArrayDeque<>()).add(reply);
    return this;
  }

  private void handle(HttpExchange ex) throws IOException {
    String key = ex.getRequestURI().getRawPath()
        + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
    requests.add(key);
    authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
    Deque<Reply> q = replies.get(key);
    Reply r = q == null ? null : (q.size() > 1 ? q.poll() : q.peek());
    if (r == null) {
      r = new Reply(404, "text/html", "<html>no route</html>".getBytes(StandardCharsets.UTF_8),
          Map.of(), -1);
    }
    ex.getResponseHeaders().set("Content-Type", r.contentType());
    r.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    long length = r.declaredLength() >= 0 ? r.declaredLength() : r.body().length;
    ex.sendResponseHeaders(r.status(), length == 0 ? -1 : length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(r.body());
    } catch (IOException e) {
      // a truncated reply: the server closes with fewer bytes than declared
    }
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
