package io.sluice.gateway.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The head of every HTTP connection's pipeline: how the server closes a connection whose client
 * may still be sending (a 413 while the body streams in, a 408 to a client trickling its
 * headers, a 400 for bytes that cannot be decoded, the last answer while the server drains).
 *
 * <p>Closing a socket with unread input, or receiving bytes after it closed, makes the kernel
 * send a reset, and a reset makes the client's kernel discard what it had received but not yet
 * read: the client sees {@code ECONNRESET} instead of the error it was sent. So every close of
 * such a connection passes here (a close travels from the tail to the head, whichever handler
 * asked for it, including {@code HttpServerKeepAliveHandler}'s after a {@code Connection: close}
 * answer) and is turned into a lingering close, as Apache httpd and nginx do: the output is shut
 * down (the answer, then FIN; under TLS the {@code SslHandler} has sent its close_notify before
 * the close reaches here), every later byte is read and dropped before it is decrypted or
 * decoded, and the connection closes when the client closes its side or after {@link #LINGER},
 * whichever comes first.
 *
 * <p>Only a connection that received bytes within the last {@link #LINGER} lingers: an idle one
 * (the idle timeout, a keep-alive connection closed by a shutdown) has nobody sending and closes
 * at once. A second close while lingering (the server's shutdown) closes at once too. A channel
 * that cannot half-close (an {@code EmbeddedChannel} in tests) closes as before.
 */
final class LingeringClose extends ChannelDuplexHandler {
  /** Apache httpd's lingering close waits at most 2 s for the client to stop sending. */
  static final Duration LINGER = Duration.ofSeconds(2);

  private static final Logger log = LoggerFactory.getLogger(LingeringClose.class);

  private final long lingerNanos = LINGER.toNanos();
  private long lastReadNanos = Long.MIN_VALUE;
  private boolean lingering;
  private ScheduledFuture<?> deadline;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (lingering) {
      ReferenceCountUtil.release(msg); // answered already; the rest is not read
      return;
    }
    lastReadNanos = ctx.executor().ticker().nanoTime();
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!lingering) {
      ctx.fireChannelReadComplete();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (lingering) {
      // A reset while lingering: the client is gone, which is what the linger waited for.
      log.debug("connection {} ended while lingering: {}", ctx.channel(), cause.toString());
      ctx.close();
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    Channel channel = ctx.channel();
    if (lingering || !clientMaySend(ctx)) {
      ctx.close(promise);
      return;
    }
    DuplexChannel duplex = (DuplexChannel) channel;
    lingering = true;
    // The client's FIN closes the channel (half-closure is not allowed on it); the deadline
    // closes it otherwise. Either way the close that was asked for completes with it.
    channel.closeFuture().addListener(closed -> {
      promise.trySuccess();
      if (deadline != null) {
        deadline.cancel(false);
      }
    });
    channel.config().setAutoRead(true);
    duplex.shutdownOutput().addListener((ChannelFutureListener) shut -> {
      if (!shut.isSuccess()) {
        ctx.close();
        return;
      }
      deadline = ctx.executor().schedule(() -> {
        ctx.close();
      }, lingerNanos, TimeUnit.NANOSECONDS);
    });
  }

  private boolean clientMaySend(ChannelHandlerContext ctx) {
    Channel channel = ctx.channel();
    if (!(channel instanceof DuplexChannel duplex) || !channel.isActive()
        || duplex.isInputShutdown() || duplex.isOutputShutdown()) {
      return false;
    }
    return lastReadNanos != Long.MIN_VALUE
        && ctx.executor().ticker().nanoTime() - lastReadNanos < lingerNanos;
  }
}
