package io.sluice.gateway.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * Which Netty transport the front ends' sockets use: the native epoll transport where it loads
 * (Linux on x86-64 and aarch64), else the JDK's NIO. Epoll skips what the JDK's selector does per
 * readiness change (its update queue and key maps, a share of the event loop's time under
 * load) and reads and writes with fewer copies. {@code -Dio.netty.transport.noNative=true} (a
 * Netty property) forces NIO. The listening channel is chosen from the group it is bound on, so
 * the two always match.
 */
public final class Transports {
  private Transports() {}

  /** The event loops' I/O handler: epoll where it is available. */
  public static IoHandlerFactory ioHandlerFactory() {
    return Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
  }

  /** {@code "epoll"} or {@code "nio"}: what {@link #ioHandlerFactory} picks (logged at start). */
  public static String name() {
    return Epoll.isAvailable() ? "epoll" : "nio";
  }

  /** The listening channel's class for a group made with {@link #ioHandlerFactory}. */
  public static Class<? extends ServerChannel> serverChannelType(EventLoopGroup group) {
    return isEpoll(group) ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  /** A new listening channel for {@code group} (grpc-java takes a factory). */
  public static ServerChannel newServerChannel(EventLoopGroup group) {
    return isEpoll(group) ? new EpollServerSocketChannel() : new NioServerSocketChannel();
  }

  private static boolean isEpoll(EventLoopGroup group) {
    return group instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class);
  }
}
