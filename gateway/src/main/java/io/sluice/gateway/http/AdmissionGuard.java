package io.sluice.gateway.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.sluice.gateway.core.FrontDoor;
import io.sluice.runtime.Status;

/**
 * Load shedding at the HTTP front door: asks the {@link FrontDoor} about an inference request
 * ({@code POST …/infer}, TF Serving's {@code :predict}) as soon as its head is decoded, before
 * its body is inflated, aggregated or parsed, and turns a refused one into a bodiless request
 * whose failed decoder result carries the refusal, for {@link RequestDispatcher} to answer in
 * request order (503, {@code Retry-After}, {@code {"error":…}}).
 *
 * <p>The refused request's body is released as it arrives and the answer leaves after its last
 * chunk, so the connection stays usable (keep-alive). A refused request that expects {@code 100
 * Continue} is answered at once and its connection closed, as {@link ExpectContinueGuard} does
 * for a body over the limit: a client that honours the refusal never sends the body the decoder
 * is waiting for. Other requests (health, metadata, the control plane) are never refused here.
 *
 * <p>The route a POST's head matched is left in the connection's {@link MatchedRoutes} for the
 * dispatcher, so the path is parsed once; the front door's clock is read at each head, for the
 * cost of a refusal ({@code sluice_admission_reject_seconds}).
 */
final class AdmissionGuard extends ChannelInboundHandlerAdapter {
  private final FrontDoor door;
  private final Router router;
  private final MatchedRoutes routes;
  /** The refusal to pass on after the refused body's last chunk; null when none waits. */
  private FullHttpRequest pending;
  /** Releasing the rest of a refused body whose answer has already gone. */
  private boolean discarding;

  AdmissionGuard(FrontDoor door, Router router, MatchedRoutes routes) {
    this.door = door;
    this.router = router;
    this.routes = routes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FullHttpRequest) {
      // A failure or a timeout's signal: it ends any body in progress and is answered instead.
      reset();
      ctx.fireChannelRead(msg);
      return;
    }
    if (msg instanceof HttpRequest) {
      reset();
      HttpRequest head = (HttpRequest) msg;
      long seenAt = door.refusalClock();
      Status refusal = refusal(head);
      if (refusal == null) {
        ctx.fireChannelRead(msg);
        return;
      }
      if (HttpUtil.is100ContinueExpected(head)) {
        discarding = true;
        ctx.fireChannelRead(refused(head, refusal, true, seenAt));
      } else {
        pending = refused(head, refusal, false, seenAt);
      }
      return;
    }
    if (msg instanceof HttpContent && (pending != null || discarding)) {
      HttpContent content = (HttpContent) msg;
      boolean broken = !content.decoderResult().isSuccess();
      boolean last = content instanceof LastHttpContent;
      content.release();
      if (broken) {
        // The refused body's framing broke: the stream cannot be trusted, nor answered in order.
        reset();
        ctx.close();
      } else if (last) {
        FullHttpRequest answer = pending;
        pending = null;
        discarding = false;
        if (answer != null) {
          ctx.fireChannelRead(answer);
        }
      }
      return;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    reset();
    routes.clear();
    super.channelInactive(ctx);
  }

  private void reset() {
    if (pending != null) {
      pending.release();
      pending = null;
    }
    discarding = false;
  }

  /**
   * The front door's refusal of an inference request, else null (admitted, or not inference). A
   * POST's matched route, unless refused, is left for the dispatcher.
   */
  private Status refusal(HttpRequest head) {
    if (!head.decoderResult().isSuccess() || !HttpMethod.POST.equals(head.method())) {
      return null;
    }
    Route route;
    try {
      route = router.match(head.uri());
    } catch (RuntimeException malformed) {
      // A malformed model name or version: the dispatcher answers it with its 400, in order.
      return null;
    }
    if (route == null) {
      return null;
    }
    Status refusal = route.endpoint() == Route.Endpoint.MODEL_INFER
        || route.endpoint() == Route.Endpoint.V1_PREDICT ? door.checkAdmission() : null;
    if (refusal == null) {
      routes.put(head.headers(), route);
    }
    return refusal;
  }

  private static FullHttpRequest refused(HttpRequest head, Status refusal, boolean closing,
      long seenAt) {
    FullHttpRequest r = new DefaultFullHttpRequest(head.protocolVersion(), head.method(),
        head.uri(), Unpooled.EMPTY_BUFFER, head.headers(), EmptyHttpHeaders.INSTANCE);
    r.setDecoderResult(
        DecoderResult.failure(new AdmissionRefusedException(refusal, closing, seenAt)));
    return r;
  }
}
