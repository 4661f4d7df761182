package io.sluice.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.runtime.Status;

/**
 * The answers to front-door refusals, encoded once per refusal: the front door hands out one
 * immutable {@link Status} for every refused request, so under overload a refusal costs a copy
 * of three headers and a view of shared bytes, rather than cleaning its text and writing its JSON
 * again (work that the event loop would take from the model's share of the CPU, once per
 * refusal, at a rate past capacity). The answer is {@link HttpErrors#response}'s, byte for byte.
 *
 * <p>One per HTTP server, shared by its event loops: the last encoding is an immutable value in
 * a volatile field, and a refusal that is not the last one's (compared by identity) is encoded
 * and becomes the last. The shared body is unreleasable, so the encoder's release of each view
 * leaves it intact.
 */
final class RefusalResponses {
  private volatile Encoded last;

  private record Encoded(Status refusal, HttpResponseStatus status, HttpHeaders headers,
      ByteBuf body) {}

  /** A new response for {@code refusal}, its headers its own (a caller may add to them). */
  FullHttpResponse response(Status refusal) {
    Encoded e = last;
    if (e == null || e.refusal() != refusal) {
      e = encode(refusal);
      last = e;
    }
    return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, e.status(), e.body().duplicate(),
        e.headers().copy(), EmptyHttpHeaders.INSTANCE);
  }

  private static Encoded encode(Status refusal) {
    FullHttpResponse built = HttpErrors.response(refusal);
    try {
      ByteBuf body =
          Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(built.content()).asReadOnly());
      return new Encoded(refusal, built.status(), built.headers().copy(), body);
    } finally {
      built.release();
    }
  }
}
