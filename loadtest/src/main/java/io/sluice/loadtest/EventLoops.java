package io.sluice.loadtest;

import io.netty.channel.EventLoopGroup;
import java.util.concurrent.TimeUnit;

/**
 * A command's Netty event loops, shut down (without a quiet period) when the command ends:
 * {@code try (EventLoops loops = EventLoops.of(n)) { ... loops.group() ... }}.
 */
final class EventLoops implements AutoCloseable {
  private final EventLoopGroup group;

  private EventLoops(EventLoopGroup group) {
    this.group = group;
  }

  static EventLoops of(int threads) {
    return new EventLoops(Main.eventLoops(threads));
  }

  EventLoopGroup group() {
    return group;
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
