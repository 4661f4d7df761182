package io.sluice.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.util.ReferenceCountUtil;
import io.sluice.gateway.core.ErrorCounter;
import io.sluice.runtime.Status;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates {@code Content-Encoding: gzip | deflate} request bodies within a byte limit, in bounded
 * steps, and refuses any other coding.
 *
 * <p>Netty's {@code HttpContentDecompressor} inflates each compressed chunk to its end in one call
 * and leaves the size limit to the aggregator, so a 200 KB body of zeros is 200 MB of event-loop
 * work and memory before its 413. Here each {@link Inflater#inflate} call writes at most {@link
 * #STEP_BYTES} into a pooled buffer; the running total is checked after every step, so at most
 * {@code limit + STEP_BYTES} bytes are ever inflated for one body, and on the first step over the
 * limit the rest of the body is released without being inflated. After {@link #TURN_BYTES} of
 * output in one read the handler pauses reading and continues in a task scheduled on its event
 * loop, which runs after the loop's next I/O round, so other connections on that loop are served
 * between turns; messages that arrive meanwhile wait in order.
 *
 * <p>Refusals travel down the pipeline as a failed decoder result, as Netty's own decoders report
 * bad bytes, so {@link RequestDispatcher} answers them in request order: a body over the limit
 * ends with a failed {@link LastHttpContent} ({@link TooLongHttpContentException}, 413), corrupt
 * data likewise ({@link DecompressionException}, 400), and a request head with an unknown coding
 * is failed itself ({@link UnsupportedContentEncodingException}, 415). {@code deflate} accepts
 * zlib (RFC 1950, what HTTP means) and, as Netty does by default, a raw deflate stream; {@code
 * gzip} may hold several members. The two {@link Inflater}s are made on first use, reused for
 * every body on the connection and ended when the handler is removed: their one owner.
 */
final class BodyInflater extends ChannelInboundHandlerAdapter {
  /** The most one {@link Inflater#inflate} call writes. */
  static final int STEP_BYTES = 64 * 1024;
  /** The most inflated in one event-loop turn before yielding. */
  static final int TURN_BYTES = 256 * 1024;

  private enum State {
    /** Not compressed: contents pass through. */
    PASS,
    GZIP_HEADER,
    GZIP_DATA,
    GZIP_TRAILER,
    /** A gzip member ended: the body may end here, or another member starts. */
    GZIP_END,
    /** deflate: the first bytes choose zlib or raw. */
    DEFLATE_START,
    DEFLATE_DATA,
    /** The deflate stream ended: anything after it is ignored. */
    DEFLATE_END,
    /** Refused: the rest of this body is released unread. */
    DISCARD
  }

  private final int limit;
  private final HttpMeters meters;
  private final ErrorCounter errors;
  private final ArrayDeque<Object> waiting = new ArrayDeque<>();
  private final GzipFraming gzip = new GzipFraming();
  private final CRC32 crc = new CRC32();
  private Inflater rawInflater;
  private Inflater zlibInflater;
  private Inflater inflater;
  private State state = State.PASS;
  private long inflated;
  private boolean sawInput;
  private int turnBytes;
  /** The compressed chunk being inflated, retained until its input is used up. */
  private HttpContent current;
  private ByteBuffer input;
  private boolean paused;
  private boolean stoppedReading;
  private boolean readCompletePending;
  private boolean closed;

  /**
   * @param limit the most bytes one body may inflate to
   * @param errors counts each refusal in {@code sluice_request_errors_total}
   */
  BodyInflater(int limit, HttpMeters meters, ErrorCounter errors) {
    this.limit = limit;
    this.meters = meters;
    this.errors = errors;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (paused || !waiting.isEmpty()) {
      waiting.add(msg);
      return;
    }
    process(ctx, msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (paused) {
      readCompletePending = true;
      return;
    }
    turnBytes = 0;
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    closed = true;
    releaseAll();
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    closed = true;
    releaseAll();
    if (rawInflater != null) {
      rawInflater.end();
    }
    if (zlibInflater != null) {
      zlibInflater.end();
    }
  }

  private void process(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FullHttpRequest || !(msg instanceof HttpRequest || msg instanceof HttpContent)) {
      // The codec emits heads and contents apart; a full request is a failed one (or a timeout's
      // signal), which ends any body in progress and passes as it is.
      endBody();
      ctx.fireChannelRead(msg);
      return;
    }
    if (msg instanceof HttpRequest) {
      begin((HttpRequest) msg);
      ctx.fireChannelRead(msg);
      return;
    }
    HttpContent content = (HttpContent) msg;
    if (!content.decoderResult().isSuccess()) {
      endBody();
      ctx.fireChannelRead(content);
      return;
    }
    switch (state) {
      case PASS:
        ctx.fireChannelRead(content);
        break;
      case DISCARD:
        if (content instanceof LastHttpContent) {
          state = State.PASS;
        }
        content.release();
        break;
      default:
        current = content;
        input = content.content().nioBuffer();
        if (input.hasRemaining()) {
          sawInput = true;
        }
        if (state == State.GZIP_DATA || state == State.DEFLATE_DATA) {
          inflater.setInput(input);
        }
        inflateCurrent(ctx);
    }
  }

  /** Chooses how the body of {@code request} is read, from its {@code Content-Encoding}. */
  private void begin(HttpRequest request) {
    endBody();
    if (!request.decoderResult().isSuccess()) {
      return;
    }
    if (!request.headers().contains(HttpHeaderNames.CONTENT_ENCODING)) {
      return; // the usual case: no list to allocate
    }
    List<String> codings = request.headers().getAll(HttpHeaderNames.CONTENT_ENCODING);
    String coding = codings.size() == 1 ? codings.get(0).trim().toLowerCase(Locale.ROOT) : "";
    switch (coding) {
      case "identity":
        return;
      case "gzip":
      case "x-gzip":
        state = State.GZIP_HEADER;
        gzip.reset();
        break;
      case "deflate":
      case "x-deflate":
        state = State.DEFLATE_START;
        break;
      default:
        errors.recordError("http", Status.Code.UNIMPLEMENTED.name());
        request.setDecoderResult(DecoderResult.failure(new UnsupportedContentEncodingException(
            "Content-Encoding '" + String.join(", ", codings)
                + "' is not supported (expected: gzip, deflate or identity)")));
        state = State.DISCARD;
        return;
    }
    // The body that follows is the inflated one: its length is known only at its end.
    request.headers().remove(HttpHeaderNames.CONTENT_ENCODING);
    request.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
    inflated = 0;
    sawInput = false;
  }

  /**
   * Inflates {@link #current} until its input is used up, the body fails, or this turn's budget is
   * spent (then it pauses and a task continues later).
   */
  private void inflateCurrent(ChannelHandlerContext ctx) {
    try {
      while (step(ctx)) {
        if (turnBytes >= TURN_BYTES) {
          pause(ctx);
          return;
        }
      }
    } catch (DecompressionException e) {
      fail(ctx, e);
      return;
    } catch (DataFormatException e) {
      fail(ctx, new DecompressionException(e.getMessage()));
      return;
    }
    if (current == null) {
      return; // failed over the limit inside step()
    }
    boolean last = current instanceof LastHttpContent;
    current.release();
    current = null;
    input = null;
    if (!last) {
      return;
    }
    boolean complete = state == State.GZIP_END || state == State.DEFLATE_END || !sawInput;
    if (!complete) {
      fail(ctx, new DecompressionException(
          "the body ends inside its compressed stream (expected: a complete "
              + (state == State.DEFLATE_DATA || state == State.DEFLATE_START ? "deflate" : "gzip")
              + " stream)"));
      return;
    }
    state = State.PASS;
    ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
  }

  /**
   * One step over {@link #input}: a header or trailer read, or one bounded inflate.
   *
   * @return false when the input is used up (or the body failed), true to keep going
   */
  private boolean step(ChannelHandlerContext ctx) throws DataFormatException {
    switch (state) {
      case GZIP_HEADER:
        if (!gzip.readHeader(input)) {
          return false;
        }
        inflater = raw();
        crc.reset();
        inflater.setInput(input);
        state = State.GZIP_DATA;
        return true;
      case DEFLATE_START:
        if (!input.hasRemaining()) {
          return false;
        }
        inflater = looksLikeZlib(input) ? zlib() : raw();
        inflater.setInput(input);
        state = State.DEFLATE_DATA;
        return true;
      case GZIP_DATA:
      case DEFLATE_DATA:
        return inflateStep(ctx);
      case GZIP_TRAILER:
        if (!gzip.readTrailer(input)) {
          return false;
        }
        gzip.checkTrailer(crc.getValue(), inflater.getBytesWritten());
        state = State.GZIP_END;
        return true;
      case GZIP_END:
        if (!input.hasRemaining()) {
          return false;
        }
        gzip.reset();
        inflater.reset();
        state = State.GZIP_HEADER;
        return true;
      case DEFLATE_END:
        input.position(input.limit());
        return false;
      default:
        throw new IllegalStateException(state.name());
    }
  }

  private boolean inflateStep(ChannelHandlerContext ctx) throws DataFormatException {
    ByteBuf out = ctx.alloc().buffer(STEP_BYTES, STEP_BYTES);
    int n;
    try {
      n = inflater.inflate(out.nioBuffer(0, STEP_BYTES));
    } catch (DataFormatException | RuntimeException e) {
      out.release();
      throw e;
    }
    if (n == 0) {
      out.release();
      if (inflater.finished()) {
        state = state == State.GZIP_DATA ? State.GZIP_TRAILER : State.DEFLATE_END;
        return true;
      }
      if (inflater.needsDictionary()) {
        throw new DecompressionException("the deflate stream needs a preset dictionary"
            + " (expected: a stream without one)");
      }
      return false; // the input is used up
    }
    out.writerIndex(n);
    meters.inflatedBytes.increment(n);
    inflated += n;
    turnBytes += n;
    if (inflated > limit) {
      out.release();
      tooLarge(ctx);
      return false;
    }
    if (state == State.GZIP_DATA) {
      crc.update(out.nioBuffer(0, n));
    }
    ctx.fireChannelRead(new DefaultHttpContent(out));
    return true;
  }

  private void tooLarge(ChannelHandlerContext ctx) {
    meters.decompressedTooLarge.increment();
    errors.recordError("http", Status.Code.RESOURCE_EXHAUSTED.name());
    fail(ctx, new TooLongHttpContentException(
        "the request body inflates to more than " + limit + " bytes (expected: at most " + limit
            + " bytes once decompressed)"));
  }

  /** Ends the body with a failed last content; the rest of it, if any, is discarded. */
  private void fail(ChannelHandlerContext ctx, Exception cause) {
    if (!(cause instanceof TooLongHttpContentException)) {
      errors.recordError("http", Status.Code.INVALID_ARGUMENT.name());
    }
    boolean last = current instanceof LastHttpContent;
    if (current != null) {
      current.release();
      current = null;
      input = null;
    }
    state = last ? State.PASS : State.DISCARD;
    LastHttpContent failure = new DefaultLastHttpContent();
    failure.setDecoderResult(DecoderResult.failure(cause));
    ctx.fireChannelRead(failure);
  }

  private void pause(ChannelHandlerContext ctx) {
    paused = true;
    ChannelConfig config = ctx.channel().config();
    if (config.isAutoRead()) {
      config.setAutoRead(false);
      stoppedReading = true;
    }
    // Scheduled rather than executed: the event loop runs scheduled tasks only after its next I/O
    // round, while a plain task would run in this round's task batch, before any other socket.
    ctx.executor().schedule(() -> resume(ctx), 0, TimeUnit.NANOSECONDS);
  }

  private void resume(ChannelHandlerContext ctx) {
    paused = false;
    turnBytes = 0;
    if (closed) {
      return;
    }
    if (current != null) {
      inflateCurrent(ctx);
    }
    for (Object next; !paused && (next = waiting.poll()) != null; ) {
      process(ctx, next);
    }
    if (paused) {
      return;
    }
    if (stoppedReading) {
      stoppedReading = false;
      ctx.channel().config().setAutoRead(true);
    }
    if (readCompletePending) {
      readCompletePending = false;
      ctx.fireChannelReadComplete();
    }
  }

  /** A new head or a failure ends the body in progress, whatever state it was in. */
  private void endBody() {
    if (current != null) {
      current.release();
      current = null;
      input = null;
    }
    state = State.PASS;
  }

  private void releaseAll() {
    endBody();
    for (Object msg; (msg = waiting.poll()) != null; ) {
      ReferenceCountUtil.release(msg);
    }
  }

  private Inflater raw() {
    if (rawInflater == null) {
      rawInflater = new Inflater(true);
    }
    rawInflater.reset();
    return rawInflater;
  }

  private Inflater zlib() {
    if (zlibInflater == null) {
      zlibInflater = new Inflater(false);
    }
    zlibInflater.reset();
    return zlibInflater;
  }

  /**
   * RFC 1950's header: method 8 with a window of at most 32 KiB, and a check value that makes the
   * first two bytes a multiple of 31. With one byte in hand, the first alone decides.
   */
  private static boolean looksLikeZlib(ByteBuffer in) {
    int cmf = in.get(in.position()) & 0xff;
    if ((cmf & 0x0f) != 8 || (cmf >> 4) > 7) {
      return false;
    }
    if (in.remaining() < 2) {
      return true;
    }
    int flg = in.get(in.position() + 1) & 0xff;
    return ((cmf << 8) | flg) % 31 == 0;
  }
}
