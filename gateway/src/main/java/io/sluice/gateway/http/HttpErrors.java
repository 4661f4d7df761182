package io.sluice.gateway.http;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.sluice.runtime.Status;

/**
 * The one place where a {@link Status} becomes an HTTP status and a {@code {"error":…}} body.
 *
 * <p>DEADLINE_EXCEEDED is 503, not 504: to a Triton client a request that timed out in the queue
 * is "unavailable, retry later", the same answer as a full queue. CANCELLED has no HTTP answer
 * (the client has gone away, nginx's 499): the caller closes the connection instead, see {@link
 * #isClientGone}.
 */
final class HttpErrors {
  /** nginx's code for "the client closed the request"; never written. */
  static final HttpResponseStatus CLIENT_CLOSED_REQUEST =
      new HttpResponseStatus(499, "Client Closed Request");

  private HttpErrors() {}

  static HttpResponseStatus httpStatus(Status.Code code) {
    switch (code) {
      case INVALID_ARGUMENT:
        return HttpResponseStatus.BAD_REQUEST;
      case NOT_FOUND:
        return HttpResponseStatus.NOT_FOUND;
      case UNAVAILABLE:
      case DEADLINE_EXCEEDED:
        return HttpResponseStatus.SERVICE_UNAVAILABLE;
      case RESOURCE_EXHAUSTED:
        return HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
      case UNIMPLEMENTED:
        return HttpResponseStatus.NOT_IMPLEMENTED;
      case CANCELLED:
        return CLIENT_CLOSED_REQUEST;
      case INTERNAL:
      default:
        return HttpResponseStatus.INTERNAL_SERVER_ERROR;
    }
  }

  /** True when there is nobody to answer: close the connection without a response. */
  static boolean isClientGone(Status status) {
    return status.code() == Status.Code.CANCELLED;
  }

  /**
   * {@code {"error":"<description>"}} with the status's HTTP code, and {@code Retry-After} (whole
   * seconds, at least 1) when the status carries a retry hint (load shedding).
   */
  static FullHttpResponse response(Status status) {
    String description =
        status.description().isEmpty() ? status.code().name() : status.description();
    FullHttpResponse response = HttpResponses.error(httpStatus(status.code()), description);
    if (status.retryAfterMillis() > 0) {
      response.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds(status));
    }
    return response;
  }

  static long retryAfterSeconds(Status status) {
    return Math.max(1, (status.retryAfterMillis() + 999) / 1000);
  }
}
