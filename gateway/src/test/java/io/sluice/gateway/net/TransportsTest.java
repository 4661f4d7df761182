package io.sluice.gateway.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.junit.jupiter.api.Test;

class TransportsTest {
  @Test
  void aNioGroupGetsANioListener() {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      assertThat(Transports.serverChannelType(group)).isEqualTo(NioServerSocketChannel.class);
      assertThat(Transports.newServerChannel(group)).isInstanceOf(NioServerSocketChannel.class);
    } finally {
      group.shutdownGracefully();
    }
  }

  @Test
  void onLinuxTheServersGroupsAreEpollAndBind() throws Exception {
    assumeTrue(Epoll.isAvailable(), "native epoll does not load here");
    assertThat(Transports.name()).isEqualTo("epoll");
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, Transports.ioHandlerFactory());
    try {
      assertThat(Transports.serverChannelType(group)).isEqualTo(EpollServerSocketChannel.class);
      // The pair really works: a listener of that type binds on a group of that type.
      Channel bound = new ServerBootstrap().group(group)
          .channel(Transports.serverChannelType(group))
          .childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {}
          })
          .bind("127.0.0.1", 0).sync().channel();
      assertThat(bound).isInstanceOf(EpollServerSocketChannel.class);
      bound.close().sync();
    } finally {
      group.shutdownGracefully();
    }
  }
}
