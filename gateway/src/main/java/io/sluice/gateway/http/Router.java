package io.sluice.gateway.http;

import io.sluice.gateway.http.Route.Endpoint;
import io.sluice.runtime.Status;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Matches a request path against the V2 routes, segment by segment; no framework, no regular
 * expressions.
 *
 * <p>The query string and fragment are ignored. The model segment is percent-decoded as UTF-8
 * ({@code +} stays a plus: this is a path, not a form). A version segment that is not decimal
 * digits is a 400 rather than a 404: the path has the shape of a route, so the client gets told
 * which part is wrong. {@code /v2/models/stats} is the statistics of every model, as
 * tritonclient asks for them; a model literally named {@code stats} is still reachable through
 * {@code /v2/models/stats/versions/{v}}.
 */
final class Router {

  /**
   * The route {@code uri} names, or null when it names none (404).
   *
   * @throws io.sluice.runtime.StatusException INVALID_ARGUMENT for a malformed model name or a
   *     non-numeric version
   */
  Route match(String uri) {
    String path = pathOf(uri);
    if (path.startsWith("/v1/")) {
      return matchV1(List.of(path.substring(1).split("/", -1)));
    }
    if (!path.startsWith("/v2")) {
      return null;
    }
    List<String> s = List.of(path.substring(1).split("/", -1));
    if (!s.get(0).equals("v2")) {
      return null;
    }
    int n = s.size();
    if (n == 1) {
      return Route.of(Endpoint.SERVER_METADATA);
    }
    switch (s.get(1)) {
      case "health":
        if (n == 3 && s.get(2).equals("live")) {
          return Route.of(Endpoint.SERVER_LIVE);
        }
        if (n == 3 && s.get(2).equals("ready")) {
          return Route.of(Endpoint.SERVER_READY);
        }
        return null;
      case "repository":
        return matchRepository(s);
      case "models":
        return matchModels(s);
      case "registry":
        return n == 3 && s.get(2).equals("webhook") ? Route.of(Endpoint.REGISTRY_WEBHOOK) : null;
      default:
        return null;
    }
  }

  private static Route matchRepository(List<String> s) {
    int n = s.size();
    if (n == 3 && s.get(2).equals("index")) {
      return Route.of(Endpoint.REPOSITORY_INDEX);
    }
    if (n == 5 && s.get(2).equals("models") && !s.get(3).isEmpty()) {
      if (s.get(4).equals("load")) {
        return new Route(Endpoint.REPOSITORY_LOAD, decode(s.get(3)), "");
      }
      if (s.get(4).equals("unload")) {
        return new Route(Endpoint.REPOSITORY_UNLOAD, decode(s.get(3)), "");
      }
    }
    return null;
  }

  /** {@code /v2/models/stats}, or {@code /v2/models/{m}[/versions/{v}][/<action>]}. */
  private static Route matchModels(List<String> s) {
    int n = s.size();
    if (n == 3 && s.get(2).equals("stats")) {
      return Route.of(Endpoint.MODEL_STATISTICS);
    }
    if (n < 3 || s.get(2).isEmpty()) {
      return null;
    }
    int next = 3;
    String version = "";
    if (n > 3 && s.get(3).equals("versions")) {
      if (n < 5 || s.get(4).isEmpty()) {
        return null;
      }
      version = checkVersion(s.get(4));
      next = 5;
    }
    Endpoint endpoint;
    if (n == next) {
      endpoint = Endpoint.MODEL_METADATA;
    } else if (n == next + 1) {
      endpoint = modelAction(s.get(next));
      if (endpoint == null) {
        return null;
      }
    } else {
      return null;
    }
    return new Route(endpoint, decode(s.get(2)), version);
  }

  /**
   * TF Serving's REST API: {@code /v1/models/{m}[/versions/{v}]} (status), the same
   * {@code /metadata}, and the same {@code :predict} ({@code :classify} and {@code :regress},
   * which need tf.Example inputs, are answered UNIMPLEMENTED).
   */
  private static Route matchV1(List<String> s) {
    int n = s.size();
    if (n < 3 || !s.get(0).equals("v1") || !s.get(1).equals("models") || s.get(2).isEmpty()) {
      return null;
    }
    String last = s.get(n - 1);
    int colon = last.lastIndexOf(':');
    String verb = null;
    List<String> segments = s;
    if (colon > 0) {
      verb = last.substring(colon + 1);
      segments = new ArrayList<>(s.subList(0, n - 1));
      segments.add(last.substring(0, colon));
    }
    int next = 3;
    String version = "";
    if (n > 3 && segments.get(3).equals("versions")) {
      if (n < 5 || segments.get(4).isEmpty()) {
        return null;
      }
      version = checkVersion(segments.get(4));
      next = 5;
    }
    String model = decode(segments.get(2));
    if (verb != null) {
      if (n != next) {
        return null;
      }
      if (!verb.equals("predict")) {
        if (verb.equals("classify") || verb.equals("regress")) {
          throw Status.unimplemented(":" + verb + " (tf.Example inputs) is not served"
              + " (expected: :predict)").asException();
        }
        return null;
      }
      return new Route(Endpoint.V1_PREDICT, model, version);
    }
    if (n == next) {
      return new Route(Endpoint.V1_MODEL_STATUS, model, version);
    }
    if (n == next + 1 && segments.get(next).equals("metadata")) {
      return new Route(Endpoint.V1_MODEL_METADATA, model, version);
    }
    return null;
  }

  private static Endpoint modelAction(String segment) {
    switch (segment) {
      case "ready":
        return Endpoint.MODEL_READY;
      case "config":
        return Endpoint.MODEL_CONFIG;
      case "stats":
        return Endpoint.MODEL_STATISTICS;
      case "infer":
        return Endpoint.MODEL_INFER;
      case "drift":
        return Endpoint.MODEL_DRIFT;
      case "feedback":
        return Endpoint.MODEL_FEEDBACK;
      case "traffic":
        return Endpoint.MODEL_TRAFFIC;
      case "promote":
        return Endpoint.MODEL_PROMOTE;
      case "rollback":
        return Endpoint.MODEL_ROLLBACK;
      case "rollout":
        return Endpoint.MODEL_ROLLOUT;
      case "faults":
        return Endpoint.VERSION_FAULTS;
      default:
        return null;
    }
  }

  private static String checkVersion(String segment) {
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c < '0' || c > '9') {
        throw Status.invalidArgument(
                "version '" + segment + "' in the path (expected: decimal digits, e.g."
                    + " /v2/models/m/versions/1)")
            .asException();
      }
    }
    return segment;
  }

  /** The path of an origin-form or absolute-form request target, without query or fragment. */
  static String pathOf(String uri) {
    String path = uri;
    int scheme = path.indexOf("://");
    if (scheme > 0 && scheme < path.indexOf('/')) {
      int slash = path.indexOf('/', scheme + 3);
      path = slash < 0 ? "/" : path.substring(slash);
    }
    int end = path.length();
    int query = path.indexOf('?');
    if (query >= 0) {
      end = query;
    }
    int fragment = path.indexOf('#');
    if (fragment >= 0 && fragment < end) {
      end = fragment;
    }
    return path.substring(0, end);
  }

  /** Percent-decodes one path segment as UTF-8. */
  static String decode(String segment) {
    if (segment.indexOf('%') < 0) {
      return segment;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c != '%') {
        // Netty reads the request line one byte per char, so raw UTF-8 bytes come back as is.
        bytes.write(c);
        continue;
      }
      int hi = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 1), 16) : -1;
      int lo = hi >= 0 ? Character.digit(segment.charAt(i + 2), 16) : -1;
      if (lo < 0) {
        throw badSegment(segment);
      }
      bytes.write(hi << 4 | lo);
      i += 2;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw badSegment(segment);
    }
  }

  private static RuntimeException badSegment(String segment) {
    return Status.invalidArgument(
            "model name '" + segment + "' in the path (expected: percent-encoded UTF-8)")
        .asException();
  }
}
