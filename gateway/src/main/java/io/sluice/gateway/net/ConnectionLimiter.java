package io.sluice.gateway.net;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the connections one server keeps open. It sits on the listening socket's pipeline, ahead
 * of Netty's acceptor, so it sees each accepted connection before that connection is registered
 * with an event loop or given a pipeline: one over the cap is reset at once (linger 0, so the
 * server keeps no TIME_WAIT for it) and costs nothing more. Open connections are the gauge {@code
 * sluice_connections_open{protocol}}, refusals the counter {@code
 * sluice_connections_rejected_total{protocol}}.
 *
 * <p>One instance serves one listening socket; it is {@link Sharable} only because Netty asks
 * that of a handler that could be added twice, and its state is one atomic count.
 */
@ChannelHandler.Sharable
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);

  private final int maxConnections;
  private final String protocol;
  private final AtomicInteger open = new AtomicInteger();
  private final Counter rejected;

  /**
   * @param maxConnections the most connections open at once, {@code > 0}
   * @param protocol the {@code protocol} label: {@code http} or {@code grpc}
   */
  public ConnectionLimiter(int maxConnections, String protocol, MeterRegistry registry) {
    if (maxConnections < 1) {
      throw new IllegalArgumentException(
          "maxConnections: " + maxConnections + " (expected: > 0)");
    }
    this.maxConnections = maxConnections;
    this.protocol = protocol;
    Gauge.builder("sluice_connections_open", open, AtomicInteger::get)
        .description("Connections open now, by protocol")
        .tag("protocol", protocol)
        .strongReference(true)
        .register(registry);
    this.rejected =
        Counter.builder("sluice_connections_rejected")
            .description("Connections refused at accept because the server was at --max-connections")
            .tag("protocol", protocol)
            .register(registry);
  }

  /** Connections open now. */
  public int open() {
    return open.get();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel child = (Channel) msg;
    if (open.incrementAndGet() <= maxConnections) {
      child.closeFuture().addListener(closed -> open.decrementAndGet());
      ctx.fireChannelRead(child);
      return;
    }
    open.decrementAndGet();
    rejected.increment();
    child.config().setOption(ChannelOption.SO_LINGER, 0);
    child.unsafe().closeForcibly();
    log.debug("refused a {} connection from {}: {} open (expected: at most {})",
        protocol, child.remoteAddress(), maxConnections, maxConnections);
  }
}
