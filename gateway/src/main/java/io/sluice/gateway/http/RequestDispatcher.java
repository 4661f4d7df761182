package io.sluice.gateway.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.sluice.gateway.core.RegistryWebhook;
import io.sluice.gateway.core.ServingApi;
import io.sluice.gateway.core.ModelMetadata;
import io.sluice.gateway.core.PredictSignature;
import io.sluice.gateway.core.V2InferRequest;
import io.sluice.gateway.core.V2InferResponse;
import io.sluice.gateway.request.RequestContext;
import io.sluice.gateway.request.ContextHeaders;
import io.sluice.gateway.request.TraceParent;
import io.sluice.gateway.security.AdminGuard;
import io.sluice.runtime.Status;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of the pipeline: routes each complete request and writes exactly one
 * response for it, in request order.
 *
 * <p>Threads: everything here runs on the connection's event loop. Inference, load and unload
 * complete their futures on other threads; the completion hops back to the event loop, which
 * encodes and writes the response, so no state here needs a lock and nothing blocks the loop.
 * While such an answer is pending, later requests on the connection (HTTP/1.1 pipelining) wait in
 * a queue and reading pauses, so responses leave in the order requests came.
 *
 * <p>Ownership: this handler owns each {@link FullHttpRequest} it receives and releases it once,
 * when its response has been written (or when the connection closes with it still queued). An
 * inference request's input tensors are views of that buffer, so it must outlive the inference.
 *
 * <p>Errors: anything thrown while answering becomes a {@link Status} and then a response through
 * {@link HttpErrors}; the connection keeps serving. Only a broken HTTP framing closes it.
 *
 * <p>A POST's route was already matched at its head by {@link AdmissionGuard} and is taken from
 * the connection's {@link MatchedRoutes}; any other request is routed here. A front-door refusal
 * is answered from {@link RefusalResponses} (encoded once), and its cost is reported to the
 * front door once the answer is written.
 */
final class RequestDispatcher extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);

  private final ServingApi api;
  private final Router router;
  private final ControlEndpoints control;
  private final ContextHeaders headers;
  private final AdminGuard guard;
  private final MatchedRoutes matched;
  private final RefusalResponses refusals;
  private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
  /** An asynchronous answer is pending: later requests wait in {@link #waiting}. */
  private boolean busy;
  private boolean disconnectCounted;

  RequestDispatcher(ServingApi api, Router router, ContextHeaders headers, AdminGuard guard,
      MatchedRoutes matched, RefusalResponses refusals) {
    this.headers = headers;
    this.guard = guard;
    this.matched = matched;
    this.refusals = refusals;
    this.api = api;
    this.router = router;
    this.control = new ControlEndpoints(api);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    FullHttpRequest request = (FullHttpRequest) msg;
    if (busy) {
      waiting.add(request);
      ctx.channel().config().setAutoRead(false);
      return;
    }
    dispatch(ctx, request);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    for (FullHttpRequest request; (request = waiting.poll()) != null; ) {
      request.release();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (isClientGone(cause)) {
      // A reset, or a close with a request half sent: nobody to answer, nothing to fix here.
      log.debug("connection {} ended by the client: {}", ctx.channel(), cause.toString());
      if (!disconnectCounted) {
        // A reset mid-body is reported twice (the read error, then the aggregator's): count once.
        disconnectCounted = true;
        api.recordClientDisconnect("http");
      }
      ctx.close();
      return;
    }
    if (cause instanceof DecoderException) {
      // A body that fails to decompress: the rest of the stream cannot be trusted.
      log.debug("connection {} sent bytes that cannot be decoded: {}", ctx.channel(),
          cause.toString());
      api.recordError("http", Status.Code.INVALID_ARGUMENT.name());
      if (busy || !ctx.channel().isActive()) {
        ctx.close();
        return;
      }
      ctx.writeAndFlush(HttpResponses.closing(HttpResponses.error(
              HttpResponseStatus.BAD_REQUEST,
              "the request cannot be decoded: " + rootMessage(cause)
                  + " (expected: a valid HTTP/1.1 request, gzip or deflate when encoded)")))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    log.warn("unexpected error on {}, closing it", ctx.channel(), cause);
    ctx.close();
  }

  /**
   * An I/O error from the peer (reset, broken pipe, TLS alert) or the connection closing while a
   * request was still arriving, however Netty wrapped it.
   */
  static boolean isClientGone(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof IOException || t instanceof PrematureChannelClosureException) {
        return true;
      }
    }
    return false;
  }

  private void dispatch(ChannelHandlerContext ctx, FullHttpRequest request) {
    try {
      DecoderResult framing = request.decoderResult();
      if (framing.cause() instanceof AdmissionRefusedException) {
        refuse(ctx, request, (AdmissionRefusedException) framing.cause());
        return;
      }
      if (!framing.isSuccess()) {
        finish(ctx, request, HttpResponses.closing(framingError(framing.cause())));
        return;
      }
      Route route = matched.take(request.headers());
      if (route == null) {
        route = router.match(request.uri());
      }
      if (route == null) {
        finish(ctx, request, HttpResponses.notFound());
        return;
      }
      Route.Endpoint endpoint = route.endpoint().forMethod(request.method());
      if (!request.method().equals(endpoint.method())) {
        finish(ctx, request, HttpResponses.methodNotAllowed(route.endpoint().allow()));
        return;
      }
      if (endpoint != route.endpoint()) {
        route = new Route(endpoint, route.model(), route.version());
      }
      if (route.endpoint().access() == Route.Access.ADMIN && !admitted(ctx, request)) {
        return;
      }
      switch (route.endpoint()) {
        case SERVER_LIVE:
          finish(ctx, request, control.live());
          break;
        case SERVER_READY:
          finish(ctx, request, control.ready());
          break;
        case SERVER_METADATA:
          finish(ctx, request, control.serverMetadata());
          break;
        case MODEL_METADATA:
          finish(ctx, request, control.modelMetadata(route));
          break;
        case MODEL_READY:
          finish(ctx, request, control.modelReady(route));
          break;
        case MODEL_CONFIG:
          finish(ctx, request, control.modelConfig(route));
          break;
        case MODEL_STATISTICS:
          finish(ctx, request, control.statistics(route));
          break;
        case MODEL_DRIFT:
          finish(ctx, request, control.drift(route));
          break;
        case MODEL_FEEDBACK:
          finish(ctx, request, control.feedback(route, request.content()));
          break;
        case REPOSITORY_INDEX:
          finish(ctx, request, control.repositoryIndex(request.content()));
          break;
        case REPOSITORY_LOAD:
          answerLater(ctx, request, control.load(route, request.content()),
              ignored -> HttpResponses.emptyOk());
          break;
        case REPOSITORY_UNLOAD:
          answerLater(ctx, request, control.unload(route), ignored -> HttpResponses.emptyOk());
          break;
        case MODEL_INFER:
          infer(ctx, request, route);
          break;
        case REGISTRY_WEBHOOK:
          finish(ctx, request, webhook(request));
          break;
        case V1_MODEL_STATUS:
          finish(ctx, request, v1Status(route));
          break;
        case V1_MODEL_METADATA:
          finish(ctx, request, v1Metadata(route));
          break;
        case V1_PREDICT:
          predictV1(ctx, request, route);
          break;
        case MODEL_TRAFFIC:
          finish(ctx, request, control.traffic(route));
          break;
        case MODEL_TRAFFIC_PUT:
          finish(ctx, request, control.putTraffic(route, request.content()));
          break;
        case MODEL_PROMOTE:
          finish(ctx, request, control.promote(route, request.content()));
          break;
        case MODEL_ROLLBACK:
          finish(ctx, request, control.rollback(route, request.content()));
          break;
        case MODEL_ROLLOUT:
          finish(ctx, request, control.rollout(route, request.content()));
          break;
        case VERSION_FAULTS:
          finish(ctx, request, control.faults(route, request.content()));
          break;
        default:
          throw new IllegalStateException("no handler for " + route.endpoint());
      }
    } catch (Throwable t) {
      fail(ctx, request, t);
    }
  }

  /** A registry delivery: 200 when verified (new or repeated), else 401, 400 or 404, counted. */
  private FullHttpResponse webhook(FullHttpRequest request) {
    RegistryWebhook.Verdict v =
        api.registryWebhook(ByteBufUtil.getBytes(request.content()), request.headers()::get);
    HttpResponseStatus status = switch (v.result()) {
      case ACCEPTED, DUPLICATE -> HttpResponseStatus.OK;
      case UNAUTHENTICATED -> HttpResponseStatus.UNAUTHORIZED;
      case INVALID -> HttpResponseStatus.BAD_REQUEST;
      case NOT_CONFIGURED -> HttpResponseStatus.NOT_FOUND;
    };
    if (status == HttpResponseStatus.OK) {
      return HttpResponses.emptyOk();
    }
    api.recordError("http", v.result().name());
    return HttpResponses.error(status, v.message());
  }

  /** Answers a request the front door refused for overload; the connection stays open. */
  private void refuse(ChannelHandlerContext ctx, FullHttpRequest request,
      AdmissionRefusedException refusal) {
    api.recordError("http", refusal.status().code().name());
    FullHttpResponse response = refusals.response(refusal.status());
    long seenAt = refusal.seenAt();
    finish(ctx, request, refusal.closing() ? HttpResponses.closing(response) : response)
        .addListener(written -> api.refusalAnswered("http", seenAt));
  }

  /** Asks the guard; a denial is answered (401/403), counted, and nothing else happens. */
  private boolean admitted(ChannelHandlerContext ctx, FullHttpRequest request) {
    AdminGuard.Verdict verdict = guard.check("http", ctx.channel().remoteAddress(),
        request.headers().get(HttpHeaderNames.AUTHORIZATION));
    if (verdict.allowed()) {
      return true;
    }
    api.recordError("http", verdict.wantsToken() ? "UNAUTHENTICATED" : "PERMISSION_DENIED");
    finish(ctx, request, HttpResponses.denied(verdict));
    return false;
  }

  /** TF Serving's model status: every version of the model, with its state. */
  private FullHttpResponse v1Status(Route route) {
    return TfServingResponses.status(
        api.modelMetadata(route.model(), route.version()),
        v -> api.isModelReady(route.model(), v));
  }

  private void infer(ChannelHandlerContext ctx, FullHttpRequest request, Route route) {
    Channel channel = ctx.channel();
    DecodedInferRequest decoded = InferRequestDecoder.decode(request,
        headers.read(request.headers()::get), () -> !channel.isActive(), channel.eventLoop());
    CompletableFuture<V2InferResponse> future;
    try {
      future = api.infer(route.model(), route.version(), decoded.request());
    } catch (RuntimeException e) {
      future = CompletableFuture.failedFuture(e);
    }
    answerLater(ctx, request, future, response -> {
      FullHttpResponse encoded = InferResponseEncoder.encode(ctx.alloc(), response, decoded);
      encoded.headers().set(V2InferResponse.ROUTE_HEADER, response.route());
      return encoded;
    });
  }

  private FullHttpResponse v1Metadata(Route route) {
    ModelMetadata m = api.modelMetadata(route.model(), route.version());
    String version = route.version().isEmpty()
        ? m.versions().stream().max(Comparator.comparingLong(Long::parseLong)).orElse("")
        : route.version();
    return TfServingResponses.metadata(m, version,
        api.predictSignature(route.model(), route.version()).signatureNames().get(0));
  }

  /** TF Serving's {@code :predict}: decoded by its rules, run as any V2 request, its answer. */
  private void predictV1(ChannelHandlerContext ctx, FullHttpRequest request, Route route) {
    Channel channel = ctx.channel();
    // Built once per served version: no metadata or config lookup per request.
    PredictSignature signature = api.predictSignature(route.model(), route.version());
    TfServingRequests.Decoded decoded = TfServingRequests.decode(
        request.content(), signature.metadata(), signature.signatures());
    V2InferRequest v2 = new V2InferRequest(decoded.inputs(), List.of(), 0, 0,
        new RequestContext("", headers.read(request.headers()::get), Map.of(), Long.MAX_VALUE,
            () -> !channel.isActive(), channel.eventLoop()));
    CompletableFuture<V2InferResponse> future;
    try {
      future = api.infer(route.model(), route.version(), v2);
    } catch (RuntimeException e) {
      future = CompletableFuture.failedFuture(e);
    }
    answerLater(ctx, request, future, r -> TfServingResponses.predict(r, decoded.rows()));
  }

  /**
   * Answers {@code request} when {@code future} completes, on this channel's event loop; the
   * request stays owned (and retained) until then.
   */
  private <T> void answerLater(ChannelHandlerContext ctx, FullHttpRequest request,
      CompletableFuture<T> future, Function<T, FullHttpResponse> encoder) {
    busy = true;
    future.whenComplete((value, error) -> {
      EventLoop loop = ctx.channel().eventLoop();
      if (loop.inEventLoop()) {
        complete(ctx, request, value, error, encoder);
        return;
      }
      try {
        loop.execute(() -> complete(ctx, request, value, error, encoder));
      } catch (RejectedExecutionException e) {
        // The event loop has shut down: nobody will write, so only the buffer is left to free.
        request.release();
      }
    });
  }

  private <T> void complete(ChannelHandlerContext ctx, FullHttpRequest request, T value,
      Throwable error, Function<T, FullHttpResponse> encoder) {
    busy = false;
    if (error != null) {
      fail(ctx, request, error);
    } else {
      FullHttpResponse response;
      try {
        response = encoder.apply(value);
      } catch (Throwable t) {
        fail(ctx, request, t);
        resume(ctx);
        return;
      }
      finish(ctx, request, response);
    }
    resume(ctx);
  }

  /** Answers the requests that waited for an asynchronous answer, then reads again. */
  private void resume(ChannelHandlerContext ctx) {
    for (FullHttpRequest next; !busy && (next = waiting.poll()) != null; ) {
      dispatch(ctx, next);
    }
    if (!busy && !ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  private void fail(ChannelHandlerContext ctx, FullHttpRequest request, Throwable t) {
    Status status = Status.fromThrowable(t);
    api.recordError("http", status.code().name());
    if (HttpErrors.isClientGone(status)) {
      request.release();
      ctx.close();
      return;
    }
    // Only failures read the trace context: a caller's traceparent names its trace in the log
    // line (text and a JSON field) and comes back on the answer, for the caller's own logs.
    TraceParent trace = TraceParent.parse(request.headers().get(ContextHeaders.TRACEPARENT));
    String traceId = trace == null ? "none" : trace.traceId();
    if (status.code() == Status.Code.INTERNAL) {
      // A server fault, logged once here; the client gets the status's description only.
      log.atWarn().addKeyValue("trace_id", traceId)
          .setCause(status.cause() != null ? status.cause() : t)
          .log("{} {} failed (trace_id={}): {}", request.method(), request.uri(), traceId,
              status.description());
    } else {
      log.atDebug().addKeyValue("trace_id", traceId)
          .log("{} {} answered {} (trace_id={}): {}", request.method(), request.uri(),
              status.code(), traceId, status.description());
    }
    FullHttpResponse answer = HttpErrors.response(status);
    if (trace != null) {
      answer.headers().set(ContextHeaders.TRACEPARENT, trace.header());
    }
    finish(ctx, request, answer);
  }

  /**
   * Writes the response, then releases the request: the one place a request is let go. While
   * the server shuts down, the last answer a connection owes says {@code Connection: close}
   * (the keep-alive handler then closes it). The server closes no connection under a client
   * that may be sending: a client learns from the answer itself not to reuse it.
   */
  private ChannelFuture finish(ChannelHandlerContext ctx, FullHttpRequest request,
      FullHttpResponse response) {
    if (api.isDraining() && waiting.isEmpty()) {
      HttpResponses.closing(response);
    }
    return ctx.writeAndFlush(response).addListener(written -> request.release());
  }

  private static FullHttpResponse framingError(Throwable cause) {
    if (cause instanceof RequestTimeoutException) {
      return HttpResponses.error(HttpResponseStatus.REQUEST_TIMEOUT, cause.getMessage());
    }
    if (cause instanceof TooLongHttpContentException) {
      return HttpErrors.response(Status.of(Status.Code.RESOURCE_EXHAUSTED, cause.getMessage()));
    }
    if (cause instanceof UnsupportedContentEncodingException) {
      FullHttpResponse response =
          HttpResponses.error(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, cause.getMessage());
      response.headers().set(HttpHeaderNames.ACCEPT_ENCODING, "gzip, deflate");
      return response;
    }
    if (cause instanceof DecompressionException) {
      return HttpResponses.error(HttpResponseStatus.BAD_REQUEST,
          "the request body cannot be decompressed: " + cause.getMessage());
    }
    if (cause instanceof TooLongHttpLineException) {
      return HttpResponses.error(HttpResponseStatus.REQUEST_URI_TOO_LONG,
          "the request line is too long: " + cause.getMessage());
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return HttpResponses.error(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
          "the request headers are too large: " + cause.getMessage());
    }
    return HttpResponses.error(HttpResponseStatus.BAD_REQUEST,
        "malformed HTTP request: " + rootMessage(cause) + " (expected: HTTP/1.1)");
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
