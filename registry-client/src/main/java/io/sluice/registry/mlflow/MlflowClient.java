package io.sluice.registry.mlflow;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;

/**
 * A small client of MLflow's REST API (the registry reads and the artifact proxy), written from
 * the protocol notes because MLflow's published Java client has no alias API and shells out to
 * Python for artifacts.
 *
 * <p>The transport is the JDK's {@link HttpClient}: it ships with the runtime, speaks HTTP/1.1
 * with keep-alive, TLS and timeouts, and a blocking call is what a poller thread wants (Netty's
 * client would add an event loop and buffers for nothing). Every call may block, so it runs on
 * the registry poller, never on an event loop. A call that may succeed later (no connection,
 * 408, 429, 5xx) is retried per {@link RetryPolicy}, honouring {@code Retry-After}; the clock
 * ({@link Sleeper}) and the jitter are passed in. Error answers keep MLflow's {@code error_code}
 * and message; an answer that is not JSON says so with its status and first characters.
 */
public final class MlflowClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String API = "/api/2.0/mlflow/";
  private static final String PROXY = "/api/2.0/mlflow-artifacts/artifacts";
  private static final int PAGE_SIZE = 100;
  // models:/ and runs:/ may point at each other; MLflow's own resolver stops loops the same way.
  private static final int MAX_REDIRECTS = 4;

  private final URI base;
  private final MlflowCredentials credentials;
  private final RetryPolicy retry;
  private final Duration timeout;
  private final HttpClient http;
  private final Sleeper sleeper;
  private final DoubleSupplier random;

  /**
   * @param trackingUri the server, possibly with a path prefix ({@code http://host:5000/mlflow})
   * @param timeout per request, downloads included (the proxy copies a file before it streams)
   */
  public MlflowClient(
      URI trackingUri,
      MlflowCredentials credentials,
      RetryPolicy retry,
      Duration timeout,
      HttpClient http,
      Sleeper sleeper,
      DoubleSupplier random) {
    String s = requireNonNull(trackingUri, "trackingUri").toString();
    if (!"http".equals(trackingUri.getScheme()) && !"https".equals(trackingUri.getScheme())) {
      throw new IllegalArgumentException(
          "MLflow tracking URI " + trackingUri + " (expected: http:// or https://)");
    }
    this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    this.credentials = requireNonNull(credentials, "credentials");
    this.retry = requireNonNull(retry, "retry");
    this.timeout = requireNonNull(timeout, "timeout");
    this.http = requireNonNull(http, "http");
    this.sleeper = requireNonNull(sleeper, "sleeper");
    this.random = requireNonNull(random, "random");
  }

  /** The tracking URI, for messages. */
  public URI trackingUri() {
    return base;
  }

  /** {@code registered-models/alias}: the version an alias names. */
  public ModelVersion versionByAlias(String name, String alias) throws MlflowException {
    JsonNode body = get("registered-models/alias", "name", name, "alias", alias);
    return modelVersion(body.path("model_version"), "registered-models/alias");
  }

  /**
   * {@code POST registered-models/alias}: points {@code alias} at {@code version} (a rollout's
   * promotion). Moving an alias to where it already is changes nothing, so a retry is safe.
   */
  public void setAlias(String name, String alias, String version) throws MlflowException {
    post("registered-models/alias", JSON.createObjectNode().put("name", name).put("alias", alias)
        .put("version", version));
  }

  /** {@code POST model-versions/set-tag}: sets (or overwrites) one tag of a version. */
  public void setVersionTag(String name, String version, String key, String value)
      throws MlflowException {
    post("model-versions/set-tag", JSON.createObjectNode().put("name", name)
        .put("version", version).put("key", key).put("value", value));
  }

  /** {@code model-versions/get}. */
  public ModelVersion version(String name, String version) throws MlflowException {
    JsonNode body = get("model-versions/get", "name", name, "version", version);
    return modelVersion(body.path("model_version"), "model-versions/get");
  }

  /** Every alias of a registered model and the version it names, from one call. */
  public Map<String, String> aliases(String name) throws MlflowException {
    JsonNode model = get("registered-models/get", "name", name).path("registered_model");
    if (!model.isObject()) {
      throw malformed("registered-models/get", "no registered_model");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode a : model.path("aliases")) {
      out.put(a.path("alias").asText(), a.path("version").asText());
    }
    return out;
  }

  /** Every version of a registered model, following {@code next_page_token} to the end. */
  public List<ModelVersion> searchVersions(String name) throws MlflowException {
    List<ModelVersion> out = new ArrayList<>();
    String token = "";
    String filter = "name='" + name.replace("'", "\\'") + "'";
    do {
      JsonNode page = token.isEmpty()
          ? get("model-versions/search", "filter", filter, "max_results",
              Integer.toString(PAGE_SIZE))
          : get("model-versions/search", "filter", filter, "max_results",
              Integer.toString(PAGE_SIZE), "page_token", token);
      for (JsonNode v : page.path("model_versions")) {
        out.add(modelVersion(v, "model-versions/search"));
      }
      token = page.path("next_page_token").asText("");
    } while (!token.isEmpty());
    return out;
  }

  /** {@code model-versions/get-download-uri}: where a version's files are. */
  public String downloadUri(String name, String version) throws MlflowException {
    JsonNode body = get("model-versions/get-download-uri", "name", name, "version", version);
    String uri = body.path("artifact_uri").asText("");
    if (uri.isEmpty()) {
      throw malformed("model-versions/get-download-uri", "no artifact_uri");
    }
    return uri;
  }

  /**
   * Resolves an artifact URI to a root the client can list and read: {@code mlflow-artifacts:}
   * and the proxy's own {@code http(s)} form, MLflow 3's logged models ({@code models:/m-…}),
   * {@code models:/name/version}, {@code runs:/run/path}, and a {@code file:} folder on this
   * machine. Any other scheme (s3, gs…) is refused: the server's artifact proxy is the way.
   */
  public ArtifactRoot root(String artifactUri) throws MlflowException {
    String uri = artifactUri;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (uri.startsWith("mlflow-artifacts:")) {
        return proxyRoot(uri);
      }
      if ((uri.startsWith("http://") || uri.startsWith("https://")) && uri.contains(PROXY + "/")) {
        int at = uri.indexOf(PROXY + "/");
        return new ArtifactRoot.Proxy(URI.create(uri.substring(0, at)),
            trimSlashes(uri.substring(at + PROXY.length() + 1)));
      }
      if (uri.startsWith("file:") || uri.startsWith("/")) {
        Path dir = uri.startsWith("file:") ? Path.of(URI.create(uri)) : Path.of(uri);
        if (!Files.isDirectory(dir)) {
          throw new MlflowException(0, "", "artifact folder " + dir
              + " is not on this machine (expected: the server's --serve-artifacts proxy,"
              + " or a shared filesystem)");
        }
        return new ArtifactRoot.Local(dir);
      }
      if (uri.startsWith("models:/")) {
        String rest = trimSlashes(uri.substring("models:/".length()));
        String[] parts = rest.split("/", -1);
        if (parts.length == 1 && rest.startsWith("m-")) {
          JsonNode info = get("logged-models/" + rest).path("model").path("info");
          uri = info.path("artifact_uri").asText("");
        } else if (parts.length == 2) {
          uri = downloadUri(parts[0], parts[1]);
        } else {
          throw unsupported(artifactUri);
        }
      } else if (uri.startsWith("runs:/")) {
        String rest = trimSlashes(uri.substring("runs:/".length()));
        int slash = rest.indexOf('/');
        String run = slash < 0 ? rest : rest.substring(0, slash);
        String sub = slash < 0 ? "" : rest.substring(slash + 1);
        String runRoot = get("runs/get", "run_id", run).path("run").path("info")
            .path("artifact_uri").asText("");
        uri = sub.isEmpty() ? runRoot : runRoot + "/" + sub;
      } else {
        throw unsupported(artifactUri);
      }
      if (uri.isEmpty()) {
        throw malformed(artifactUri, "no artifact_uri");
      }
    }
    throw new MlflowException(0, "", artifactUri + ": more than " + MAX_REDIRECTS
        + " models:/ and runs:/ redirections (expected: a storage location)");
  }

  /** Every file under the root, recursively, with the sizes listed. */
  public List<ArtifactFile> list(ArtifactRoot root) throws MlflowException {
    List<ArtifactFile> out = new ArrayList<>();
    if (root instanceof ArtifactRoot.Local local) {
      try (Stream<Path> walk = Files.walk(local.directory())) {
        for (Path p : (Iterable<Path>) walk::iterator) {
          if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            out.add(new ArtifactFile(
                local.directory().relativize(p).toString().replace('\\', '/'), Files.size(p)));
          }
        }
      } catch (IOException e) {
        throw new MlflowException(0, "", "cannot list " + local.directory() + ": " + e, 
            Optional.empty(), e);
      }
      return out;
    }
    ArtifactRoot.Proxy proxy = (ArtifactRoot.Proxy) root;
    listProxy(proxy, "", out, 0);
    return out;
  }

  private void listProxy(ArtifactRoot.Proxy root, String dir, List<ArtifactFile> out, int depth)
      throws MlflowException {
    if (depth > 32) {
      throw malformed(root.path(), "artifact folders nested deeper than 32");
    }
    String path = dir.isEmpty() ? root.path() : root.path() + "/" + dir;
    JsonNode body = json(send(HttpRequest.newBuilder(
        URI.create(root.base() + PROXY + "?path=" + encode(path))).GET(), "list " + path),
        "list " + path);
    for (JsonNode f : body.path("files")) {
      String name = f.path("path").asText("");
      // The proxy answers basenames; older servers answered paths from the listed folder.
      int slash = name.lastIndexOf('/');
      String base = slash < 0 ? name : name.substring(slash + 1);
      String child = dir.isEmpty() ? base : dir + "/" + base;
      if (f.path("is_dir").asBoolean(false)) {
        listProxy(root, child, out, depth + 1);
      } else {
        out.add(new ArtifactFile(child, f.path("file_size").asLong(-1)));
      }
    }
  }

  /**
   * Copies one file of the root to {@code target} and returns the bytes written. A body cut
   * short (fewer bytes than its {@code Content-Length}) or one that stalls past the timeout is
   * retried like the other failures.
   */
  public long download(ArtifactRoot root, String path, Path target) throws MlflowException {
    if (root instanceof ArtifactRoot.Local local) {
      try {
        Files.copy(local.directory().resolve(path), target);
        return Files.size(target);
      } catch (IOException e) {
        throw new MlflowException(0, "", "cannot copy " + path + ": " + e, Optional.empty(), e);
      }
    }
    ArtifactRoot.Proxy proxy = (ArtifactRoot.Proxy) root;
    StringBuilder url = new StringBuilder(proxy.base() + PROXY);
    for (String segment : (proxy.path() + "/" + path).split("/")) {
      url.append('/').append(encode(segment));
    }
    // A 2xx streams into the file; an error body is kept in memory for its message.
    HttpResponse.BodyHandler<Object> toFile = info -> info.statusCode() / 100 == 2
        ? HttpResponse.BodySubscribers.mapping(
            HttpResponse.BodySubscribers.ofFile(target), p -> (Object) p)
        : HttpResponse.BodySubscribers.mapping(
            HttpResponse.BodySubscribers.ofByteArray(), b -> (Object) b);
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.toString())).GET();
    for (int attempt = 1; ; attempt++) {
      HttpResponse<Object> response = sendOnce(request, toFile, "download " + path, attempt);
      if (response == null) {
        continue; // waited; try again
      }
      long expected = response.headers().firstValueAsLong("Content-Length").orElse(-1);
      long written;
      try {
        written = Files.size(target);
      } catch (IOException e) {
        throw new MlflowException(0, "", "download " + path + ": " + e, Optional.empty(), e);
      }
      if (expected >= 0 && written != expected) {
        if (attempt < retry.maxAttempts()) {
          pause(attempt, Optional.empty());
          continue;
        }
        throw new MlflowException(0, "", "download " + path + ": " + written
            + " bytes (expected: " + expected + " as its Content-Length said)");
      }
      return written;
    }
  }

  private ArtifactRoot.Proxy proxyRoot(String uri) {
    URI u = URI.create(uri);
    String path = trimSlashes(u.getRawPath() == null ? "" : u.getPath());
    if (u.getAuthority() != null && !u.getAuthority().isEmpty()) {
      return new ArtifactRoot.Proxy(URI.create(base.getScheme() + "://" + u.getAuthority()), path);
    }
    return new ArtifactRoot.Proxy(base, path);
  }

  private JsonNode get(String endpoint, String... params) throws MlflowException {
    StringBuilder url = new StringBuilder(base + API + endpoint);
    for (int i = 0; i < params.length; i += 2) {
      url.append(i == 0 ? '?' : '&').append(params[i]).append('=').append(encode(params[i + 1]));
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.toString())).GET();
    return json(send(request, endpoint), endpoint);
  }

  private void post(String endpoint, JsonNode body) throws MlflowException {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException("JSON of a tree cannot fail", e);
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + API + endpoint))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
    send(request, endpoint);
  }

  private HttpResponse<byte[]> send(HttpRequest.Builder request, String what)
      throws MlflowException {
    for (int attempt = 1; ; attempt++) {
      HttpResponse<byte[]> r =
          sendOnce(request, HttpResponse.BodyHandlers.ofByteArray(), what, attempt);
      if (r != null) {
        return r;
      }
    }
  }

  /**
   * One attempt: the answer when it is a 2xx; null when the caller should try again (after this
   * method waited); an exception when it should not, or the attempts are used up.
   */
  private <T> HttpResponse<T> sendOnce(HttpRequest.Builder request,
      HttpResponse.BodyHandler<T> handler, String what, int attempt) throws MlflowException {
    credentials.header().ifPresent(h -> request.setHeader("Authorization", h));
    request.timeout(timeout);
    MlflowException failure;
    CompletableFuture<HttpResponse<T>> call = http.sendAsync(request.build(), handler);
    try {
      // The request timeout covers the headers only; this bounds the body too, so a server
      // that stalls mid-file cannot hold the poller.
      HttpResponse<T> response = call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (response.statusCode() / 100 == 2) {
        return response;
      }
      failure = error(response, what);
    } catch (TimeoutException e) {
      call.cancel(true);
      failure = new MlflowException(0, "", what + ": no complete answer from " + base
          + " within " + timeout, Optional.empty(), e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      failure = cause instanceof ConnectException || cause instanceof HttpTimeoutException
          ? new MlflowException(0, "", what + ": cannot reach " + base + " (" + cause + ")",
              Optional.empty(), cause)
          : new MlflowException(0, "", what + ": " + base + " broke off (" + cause + ")",
              Optional.empty(), cause);
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new MlflowException(0, "", what + ": interrupted", Optional.empty(), e);
    }
    if (!failure.retryable() || attempt >= retry.maxAttempts()) {
      throw failure;
    }
    pause(attempt, failure.retryAfter());
    return null;
  }

  private void pause(int attempt, Optional<Duration> retryAfter) throws MlflowException {
    try {
      sleeper.sleep(retry.delay(attempt, retryAfter, random));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MlflowException(0, "", "interrupted while waiting to retry", Optional.empty(), e);
    }
  }

  private static <T> MlflowException error(HttpResponse<T> response, String what) {
    byte[] bytes = bodyBytes(response);
    String text = new String(bytes, StandardCharsets.UTF_8);
    Optional<Duration> retryAfter =
        response.headers().firstValue("Retry-After").flatMap(MlflowClient::parseRetryAfter);
    int status = response.statusCode();
    try {
      JsonNode node = JSON.readTree(bytes);
      if (node != null && node.isObject() && node.has("error_code")) {
        return new MlflowException(status, node.path("error_code").asText(),
            what + ": HTTP " + status + " " + node.path("error_code").asText() + ": "
                + node.path("message").asText(), retryAfter, null);
      }
    } catch (IOException e) {
      // Not JSON: a proxy, the auth app or the security middleware answered; say so below.
    }
    return new MlflowException(status, "", what + ": HTTP " + status + " (not an MLflow error: "
        + snippet(text) + ")", retryAfter, null);
  }

  private static byte[] bodyBytes(HttpResponse<?> response) {
    Object body = response.body();
    if (body instanceof byte[] b) {
      return b;
    }
    if (body instanceof InputStream in) {
      try (in) {
        return in.readNBytes(4096);
      } catch (IOException e) {
        return new byte[0];
      }
    }
    return new byte[0];
  }

  private static JsonNode json(HttpResponse<byte[]> response, String what)
      throws MlflowException {
    String type = response.headers().firstValue("Content-Type").orElse("");
    try {
      JsonNode node = JSON.readTree(response.body());
      if (node == null || !node.isObject()) {
        throw new IOException("not an object");
      }
      return node;
    } catch (IOException e) {
      throw new MlflowException(response.statusCode(), "", what + ": HTTP "
          + response.statusCode() + " with a body that is not a JSON object (Content-Type '"
          + type + "': " + snippet(new String(response.body(), StandardCharsets.UTF_8))
          + "; expected: MLflow's REST API at this URI)", Optional.empty(), e);
    }
  }

  private static ModelVersion modelVersion(JsonNode v, String what) throws MlflowException {
    if (!v.isObject() || v.path("version").asText("").isEmpty()) {
      throw malformed(what, "no model_version with a version");
    }
    return new ModelVersion(v.path("name").asText(""), v.path("version").asText(),
        v.path("source").asText(""), v.path("status").asText(""));
  }

  /** Seconds or an HTTP date; anything else is ignored (the computed backoff applies). */
  static Optional<Duration> parseRetryAfter(String value) {
    String v = value.strip();
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v))));
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return Optional.of(d.isNegative() ? Duration.ZERO : d);
      } catch (DateTimeParseException e2) {
        return Optional.empty();
      }
    }
  }

  private static MlflowException malformed(String what, String problem) {
    return new MlflowException(0, "", what + ": " + problem
        + " in the answer (expected: MLflow's REST API)");
  }

  private static MlflowException unsupported(String uri) {
    return new MlflowException(0, "", "artifact URI " + uri + " (expected: mlflow-artifacts:,"
        + " models:/, runs:/ or a file: folder on this machine; serve other stores through the"
        + " server's --serve-artifacts proxy)");
  }

  private static String snippet(String text) {
    String t = text.strip().replaceAll("\\s+", " ");
    return t.length() > 120 ? t.substring(0, 120) + "…" : t;
  }

  private static String trimSlashes(String s) {
    int from = 0;
    int to = s.length();
    while (from < to && s.charAt(from) == '/') {
      from++;
    }
    while (to > from && s.charAt(to - 1) == '/') {
      to--;
    }
    return s.substring(from, to);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
