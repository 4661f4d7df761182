package io.sluice.gateway.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.sluice.gateway.core.ServingApi;
import io.sluice.gateway.net.ConnectionLimiter;
import io.sluice.gateway.net.Transports;
import io.sluice.gateway.request.ContextHeaders;
import io.sluice.gateway.security.ServerSecurity;
import java.net.InetSocketAddress;
import java.time.Duration;
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
  private final ChannelGroup connections;

  private HttpFrontEnd(Channel serverChannel, ChannelGroup connections) {
    this.serverChannel = serverChannel;
    this.connections = connections;
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
    return start(config, api, boss, workers, headers, ServerSecurity.plain());
  }

  /**
   * As above, with {@code security}'s TLS (when it has a context) and admin guard; the caller
   * owns {@code security} and closes it.
   */
  public static HttpFrontEnd start(
      HttpConfig config, ServingApi api, EventLoopGroup boss, EventLoopGroup workers,
      ContextHeaders headers, ServerSecurity security) {
    return start(config, api, boss, workers, headers, security, new SimpleMeterRegistry());
  }

  /**
   * As above, registering the connection meters ({@code sluice_connections_*}, {@code
   * sluice_connection_timeouts_total}, {@code sluice_request_limit_exceeded_total}) in {@code
   * registry}.
   */
  public static HttpFrontEnd start(
      HttpConfig config, ServingApi api, EventLoopGroup boss, EventLoopGroup workers,
      ContextHeaders headers, ServerSecurity security, MeterRegistry registry) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(security, "security");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(api, "api");
    Objects.requireNonNull(registry, "registry");
    ChannelGroup connections =
        new DefaultChannelGroup("sluice-http", ImmediateEventExecutor.INSTANCE);
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(Objects.requireNonNull(boss, "boss"), Objects.requireNonNull(workers, "workers"))
            .channel(Transports.serverChannelType(boss))
            .option(ChannelOption.SO_BACKLOG, 1024)
            .handler(new ConnectionLimiter(config.maxConnections(), "http", registry))
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new HttpPipelineConfigurator(
                config, api, headers, security, connections, new HttpMeters(registry)));
    ChannelFuture bound = bootstrap.bind(config.host(), config.port()).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      throw new IllegalStateException(
          "cannot bind HTTP on " + config.host() + ":" + config.port() + ": "
              + bound.cause().getMessage(),
          bound.cause());
    }
    return new HttpFrontEnd(bound.channel(), connections);
  }

  /** The bound port (the real one when the config asked for 0). */
  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** Open connections. */
  public int connectionCount() {
    return connections.size();
  }

  /**
   * The end of a graceful shutdown, once every admitted request has been answered: closes the
   * listening socket, waits up to {@code grace} for the open connections to close on their own
   * (while the server drains, every answer says {@code Connection: close}), then closes the
   * rest, which are idle.
   *
   * @return the connections that were still open when the grace ran out
   */
  public int close(Duration grace) {
    serverChannel.close().syncUninterruptibly();
    long deadline = System.nanoTime() + grace.toNanos();
    while (!connections.isEmpty() && System.nanoTime() - deadline < 0) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    int left = connections.size();
    connections.close().awaitUninterruptibly(grace.toMillis() + 1000);
    return left;
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
