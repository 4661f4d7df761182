package io.sluice.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.gateway.security.AdminGuard;
import io.sluice.runtime.SafeText;

/**
 * Small complete responses: JSON bodies, empty bodies, errors. Every response carries {@code
 * Content-Length}, which keep-alive needs.
 *
 * <p>Control-plane bodies are small and go on the heap; inference responses are built by {@link
 * InferResponseEncoder} from the channel's allocator.
 */
final class HttpResponses {
  static final String APPLICATION_JSON = "application/json";

  private HttpResponses() {}

  static FullHttpResponse json(HttpResponseStatus status, Json.Body body) {
    return json(status, Json.write(UnpooledByteBufAllocator.DEFAULT, body));
  }

  /** Takes ownership of {@code content}. */
  static FullHttpResponse json(HttpResponseStatus status, ByteBuf content) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
    return response;
  }

  /** 200 with an empty body, as Triton answers load and unload. */
  static FullHttpResponse emptyOk() {
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
            Unpooled.EMPTY_BUFFER);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    return response;
  }

  /**
   * {@code {"error":"<message>"}}: every HTTP error body is written here, and {@link
   * SafeText#clean} strips what no client may see (class names, URLs, server paths).
   */
  static FullHttpResponse error(HttpResponseStatus status, String message) {
    String safe = SafeText.clean(message);
    return json(status, g -> {
      g.writeStartObject();
      g.writeStringField("error", safe);
      g.writeEndObject();
    });
  }

  static FullHttpResponse notFound() {
    return error(HttpResponseStatus.NOT_FOUND, "Not Found");
  }

  static FullHttpResponse methodNotAllowed(String allow) {
    FullHttpResponse response = error(HttpResponseStatus.METHOD_NOT_ALLOWED, "Method Not Allowed");
    response.headers().set(HttpHeaderNames.ALLOW, allow);
    return response;
  }

  /**
   * A refused control-plane call: 401 with {@code WWW-Authenticate: Bearer} when the right token
   * would be let in (RFC 6750; {@code error="invalid_token"} when a wrong one was sent), else 403.
   */
  static FullHttpResponse denied(AdminGuard.Verdict verdict) {
    if (!verdict.wantsToken()) {
      return error(HttpResponseStatus.FORBIDDEN, verdict.message());
    }
    FullHttpResponse response = error(HttpResponseStatus.UNAUTHORIZED, verdict.message());
    response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE,
        verdict == AdminGuard.Verdict.INVALID_TOKEN
            ? "Bearer realm=\"sluice\", error=\"invalid_token\""
            : "Bearer realm=\"sluice\"");
    return response;
  }

  /** Marks {@code response} as the last one on its connection. */
  static FullHttpResponse closing(FullHttpResponse response) {
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return response;
  }
}
