package io.sluice.gateway.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.sluice.gateway.core.ServingApi;
import io.sluice.gateway.net.ConnectionLimiter;
import io.sluice.gateway.request.ContextHeaders;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The KServe V2 / Triton HTTP server: one listening socket on the caller's event loops.
 *
 * <p>The caller owns the event loop groups (they may be shared with the gRPC server) and shuts
 * them down; {@link #close()} only stops accepting. Each connection gets the pipeline that {@link
 * HttpPipelineConfigurator} wires; requests are answered by {@link RequestDispatcher}, which never
 * blocks an event loop: inference completes on the runtime's threads and the response is encoded
 * back on the connection's own event loop. The listening socket's {@link ConnectionLimiter} caps
 * open connections at {@link HttpConfig#maxConnections()}.
 */
public final class HttpFrontEnd implements AutoCloseable {
  private final Channel serverChannel;

  private HttpFrontEnd(Channel serverChannel) {
    this.serverChannel = serverChannel;
  }

  /**
   * Binds {@code config.host():config.port()} and starts serving {@code api}. Blocks until the
   * socket is bound.
   *
   * @throws IllegalStateException when the address cannot be bound
   */
  public static HttpFrontEnd start(
      HttpConfig config, ServingApi api, EventLoopGroup boss, EventLoopGroup workers) {
    return start(config, api, boss, workers, ContextHeaders.defaults());
  }

  /** As above, copying {@code headers} into each inference request's context. */
  public static HttpFrontEnd start(
      HttpConfig config, ServingApi api, EventLoopGroup boss, EventLoopGroup workers,
      ContextHeaders headers) {
    return start(config, api, boss, workers, headers, new SimpleMeterRegistry());
  }

  /**
   * As above, registering the connection meters ({@code sluice_connections_*}, {@code
   * sluice_connection_timeouts_total}, {@code sluice_request_limit_exceeded_total}) in {@code
   * registry}.
   */
  public static HttpFrontEnd start(
      HttpConfig config, ServingApi api, EventLoopGroup boss, EventLoopGroup workers,
      ContextHeaders headers, MeterRegistry registry) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(api, "api");
    Objects.requireNonNull(registry, "registry");
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(Objects.requireNonNull(boss, "boss"), Objects.requireNonNull(workers, "workers"))
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .handler(new ConnectionLimiter(config.maxConnections(), "http", registry))
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new HttpPipelineConfigurator(config, api, headers, new HttpMeters(registry)));
    ChannelFuture bound = bootstrap.bind(config.host(), config.port()).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      throw new IllegalStateException(
          "cannot bind HTTP on " + config.host() + ":" + config.port() + ": "
              + bound.cause().getMessage(),
          bound.cause());
    }
    return new HttpFrontEnd(bound.channel());
  }

  /** The bound port (the real one when the config asked for 0). */
  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /**
   * Closes the listening socket. Connections already accepted finish on their own; the event loop
   * groups stay up (the caller owns them).
   */
  @Override
  public void close() {
    serverChannel.close().syncUninterruptibly();
  }
}
