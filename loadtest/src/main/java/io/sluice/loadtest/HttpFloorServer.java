package io.sluice.loadtest;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;

/**
 * B2's HTTP half, the transport floor: a bare Netty HTTP/1.1 server that answers every request
 * with the same pre-encoded V2 response. Netty's request decoder only frames the request (headers
 * and body chunks are released unread); the answer is one shared read-only buffer written as is,
 * so what a request costs here is the socket, the framing and the event loop, nothing more.
 */
final class HttpFloorServer implements AutoCloseable {
  private final Channel channel;

  HttpFloorServer(EventLoopGroup group, String host, int port, CannedResponse response) {
    ByteBuf canned =
        Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(response.http().length).writeBytes(response.http()).asReadOnly());
    ChannelHandler answer = new Answer(canned);
    channel =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpRequestDecoder()).addLast(answer);
                  }
                })
            .bind(host, port)
            .syncUninterruptibly()
            .channel();
  }

  int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }

  /** Writes the canned response when a request's last chunk arrives; stateless, so shared. */
  @ChannelHandler.Sharable
  private static final class Answer extends ChannelInboundHandlerAdapter {
    private final ByteBuf canned;

    Answer(ByteBuf canned) {
      this.canned = canned;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      boolean last = msg instanceof LastHttpContent;
      ReferenceCountUtil.release(msg);
      if (last) {
        ctx.write(canned.duplicate());
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
