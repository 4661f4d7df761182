package io.sluice.gateway.http;

import io.sluice.gateway.core.ServingApi;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import io.sluice.runtime.Status;

/**
 * Answers {@code Expect: 100-continue}: 100 when the declared {@code Content-Length} fits the
 * limit (Netty's handler), otherwise 413 {@code {"error":…}} before the client sends the body.
 *
 * <p>After a 413 the connection closes: a client that honours the refusal never sends the body
 * that the HTTP decoder is still waiting for, so the connection could not frame another request.
 */
final class ExpectContinueGuard extends HttpServerExpectContinueHandler {
  private final int maxBodyBytes;
  private final ServingApi api;
  private final HttpMeters meters;

  ExpectContinueGuard(int maxBodyBytes, ServingApi api, HttpMeters meters) {
    this.maxBodyBytes = maxBodyBytes;
    this.api = api;
    this.meters = meters;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest && !((HttpRequest) msg).decoderResult().isSuccess()) {
      // Refused already (a bad coding, a timeout): do not invite the body with a 100.
      ctx.fireChannelRead(msg);
      return;
    }
    if (msg instanceof HttpRequest && HttpUtil.is100ContinueExpected((HttpRequest) msg)) {
      HttpRequest request = (HttpRequest) msg;
      long declared = declaredLength(request);
      if (declared > maxBodyBytes) {
        ReferenceCountUtil.release(msg);
        Status tooLarge = Status.of(Status.Code.RESOURCE_EXHAUSTED,
            "request body of " + declared + " bytes is over the limit (expected: at most "
                + maxBodyBytes + " bytes)");
        api.recordError("http", tooLarge.code().name());
        meters.bodyTooLarge.increment();
        ctx.writeAndFlush(HttpResponses.closing(HttpErrors.response(tooLarge)))
            .addListener(ChannelFutureListener.CLOSE);
        return;
      }
    }
    super.channelRead(ctx, msg);
  }

  /** The declared length, -1 when absent or unreadable (the decoder has flagged that already). */
  private static long declaredLength(HttpRequest request) {
    if (!request.decoderResult().isSuccess()) {
      return -1;
    }
    try {
      return HttpUtil.getContentLength(request, -1L);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
