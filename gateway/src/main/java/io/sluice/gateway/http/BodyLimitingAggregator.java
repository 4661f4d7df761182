package io.sluice.gateway.http;

import io.sluice.gateway.core.ServingApi;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.sluice.runtime.Status;

/**
 * Netty's {@link HttpObjectAggregator} with the protocol's 413 body. As in Netty, the connection
 * stays open when the rest of the oversized body can be skipped cleanly (a keep-alive request, or
 * a client waiting for 100-continue); otherwise the 413 says {@code Connection: close} and the
 * connection closes after it ({@link LingeringClose}: the client still sending reads the 413).
 */
final class BodyLimitingAggregator extends HttpObjectAggregator {

  private final ServingApi api;
  private final HttpMeters meters;

  BodyLimitingAggregator(int maxBodyBytes, ServingApi api, HttpMeters meters) {
    super(maxBodyBytes);
    this.api = api;
    this.meters = meters;
    // Netty merges the body into one copy every 1024 chunks; for a 64 MiB body that copies the
    // growing body again and again. Keep the chunks: a binary input is then sliced in place, and
    // copied once only when it spans chunks.
    setMaxCumulationBufferComponents(Integer.MAX_VALUE);
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized)
      throws Exception {
    if (!(oversized instanceof HttpRequest)) {
      super.handleOversizedMessage(ctx, oversized);
      return;
    }
    api.recordError("http", Status.Code.RESOURCE_EXHAUSTED.name());
    meters.bodyTooLarge.increment();
    FullHttpResponse response =
        HttpErrors.response(
            Status.of(
                Status.Code.RESOURCE_EXHAUSTED,
                "request body is over the limit (expected: at most " + maxContentLength()
                    + " bytes)"));
    boolean close =
        oversized instanceof FullHttpMessage
            || !ctx.channel().config().isAutoRead()
            || !HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized);
    if (close) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }
  }
}
