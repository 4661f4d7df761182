package io.sluice.gateway.http;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import io.sluice.gateway.core.ErrorCounter;
import io.sluice.runtime.Status;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The read timeouts of one HTTP connection: idle, request headers, request body.
 *
 * <p>A connection is in one phase at a time. It is <em>idle</em> when no request is being read;
 * the first byte of a request starts <em>head</em> (seen by {@link #bytes()}, ahead of the HTTP
 * codec, since the codec shows nothing until the headers are complete); the decoded head starts
 * <em>body</em>; the decoded last content returns to idle (both seen by {@link #messages()}, just
 * after the codec). A head or body that takes longer than its timeout gets 408 with {@code
 * Connection: close}: the hook fires a message with a failed decoder result ({@link
 * RequestTimeoutException}) down the pipeline, so {@link RequestDispatcher} answers it in request
 * order, and every later byte is dropped. An idle connection is closed silently once nothing has
 * been received for the idle timeout and every request read has been answered, so a request
 * waiting on a slow model is never cut; the clock then restarts at its response. A connection
 * that sends nothing after connecting is idle.
 *
 * <p>One periodic check per connection, on its event loop, compares timestamps from the event
 * loop's own {@link Ticker} (a mock one in tests): nothing is scheduled or allocated per request.
 * The check runs every quarter of the shortest timeout (at most once a second, at least every
 * 10 ms), so a breach is acted on within that much after its timeout. Each breach counts in
 * {@code sluice_connection_timeouts_total{kind}}, and a 408 in {@code sluice_request_errors_total}.
 *
 * <p>Bytes that arrive in the same read right after a complete request, without the rest of their
 * headers, leave the connection idle rather than in head until more bytes come; the idle timeout
 * still bounds such a connection.
 */
final class RequestTimeouts {
  private static final long MIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final long MAX_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(1);

  private enum Phase { IDLE, HEAD, BODY, EXPIRED }

  private final Duration idleTimeout;
  private final Duration headerTimeout;
  private final Duration bodyTimeout;
  private final long periodNanos;
  private final HttpMeters meters;
  private final ErrorCounter errors;
  private final ChannelHandler bytes = new BytesHook();
  private final ChannelHandler messages = new MessagesHook();

  private Phase phase = Phase.IDLE;
  private long phaseStart;
  private long lastActivity;
  private int requests;
  private int answered;
  private Ticker ticker;
  private ChannelHandlerContext messagesContext;
  private ScheduledFuture<?> check;

  RequestTimeouts(HttpConfig config, HttpMeters meters, ErrorCounter errors) {
    this.idleTimeout = config.idleTimeout();
    this.headerTimeout = config.headerTimeout();
    this.bodyTimeout = config.bodyTimeout();
    long shortest =
        Math.min(idleTimeout.toNanos(), Math.min(headerTimeout.toNanos(), bodyTimeout.toNanos()));
    this.periodNanos = Math.max(MIN_PERIOD_NANOS, Math.min(MAX_PERIOD_NANOS, shortest / 4));
    this.meters = meters;
    this.errors = errors;
  }

  /** The hook on raw bytes: first in the pipeline (after TLS, when there is TLS). */
  ChannelHandler bytes() {
    return bytes;
  }

  /** The hook on decoded messages and on responses: right after the HTTP codec. */
  ChannelHandler messages() {
    return messages;
  }

  private void start(ChannelHandlerContext ctx) {
    if (check != null || phase == Phase.EXPIRED) {
      return;
    }
    ticker = ctx.executor().ticker();
    lastActivity = ticker.nanoTime();
    check = ctx.executor().scheduleAtFixedRate(
        this::check, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
  }

  private void stop() {
    if (check != null) {
      check.cancel(false);
      check = null;
    }
  }

  private void check() {
    if (messagesContext == null) {
      return;
    }
    long now = ticker.nanoTime();
    switch (phase) {
      case HEAD:
        if (now - phaseStart >= headerTimeout.toNanos()) {
          expire(meters.headerTimeouts, true, "the request headers did not arrive within "
              + headerTimeout.toMillis() + " ms (expected: a complete request line and headers)");
        }
        break;
      case BODY:
        if (now - phaseStart >= bodyTimeout.toNanos()) {
          expire(meters.bodyTimeouts, false, "the request body did not arrive within "
              + bodyTimeout.toMillis() + " ms (expected: the whole body within that time)");
        }
        break;
      case IDLE:
        if (requests == answered && now - lastActivity >= idleTimeout.toNanos()) {
          meters.idleTimeouts.increment();
          phase = Phase.EXPIRED;
          stop();
          messagesContext.close();
        }
        break;
      default:
        break;
    }
  }

  private void expire(Counter counter, boolean head, String message) {
    counter.increment();
    phase = Phase.EXPIRED;
    stop();
    if (!head && requests == answered) {
      // Already answered (a body over the limit, say) and still trickling: nothing left to say.
      messagesContext.close();
      return;
    }
    errors.recordError("http", Status.Code.DEADLINE_EXCEEDED.name());
    DecoderResult timedOut = DecoderResult.failure(new RequestTimeoutException(message));
    if (head) {
      requests++;
      FullHttpRequest request = new DefaultFullHttpRequest(
          HttpVersion.HTTP_1_1, HttpMethod.GET, "/", Unpooled.EMPTY_BUFFER);
      request.setDecoderResult(timedOut);
      messagesContext.fireChannelRead(request);
    } else {
      LastHttpContent end = new DefaultLastHttpContent();
      end.setDecoderResult(timedOut);
      messagesContext.fireChannelRead(end);
    }
    messagesContext.fireChannelReadComplete();
  }

  /** Starts the head phase at a request's first byte; drops everything once a timeout fired. */
  private final class BytesHook extends ChannelInboundHandlerAdapter {
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      if (ctx.channel().isActive()) {
        start(ctx);
      }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      start(ctx);
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (phase == Phase.EXPIRED) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (ticker != null) {
        lastActivity = ticker.nanoTime();
        if (phase == Phase.IDLE && msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
          phase = Phase.HEAD;
          phaseStart = lastActivity;
        }
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      stop();
      ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      stop();
    }
  }

  /** Moves between head, body and idle on decoded messages; counts final responses. */
  private final class MessagesHook extends ChannelDuplexHandler {
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      messagesContext = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (phase != Phase.EXPIRED && ticker != null) {
        if (msg instanceof HttpRequest) {
          requests++;
          phase = msg instanceof LastHttpContent ? Phase.IDLE : Phase.BODY;
          phaseStart = ticker.nanoTime();
        } else if (msg instanceof LastHttpContent) {
          phase = Phase.IDLE;
        }
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof HttpResponse
          && ((HttpResponse) msg).status().codeClass() != HttpStatusClass.INFORMATIONAL) {
        answered++;
        if (ticker != null) {
          lastActivity = ticker.nanoTime();
        }
      }
      ctx.write(msg, promise);
    }
  }
}
