package io.sluice.gateway.http;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Right after the {@code SslHandler}: a TLS failure (a refused or broken handshake, a client
 * speaking plain HTTP to the TLS port, a client without a certificate under mutual TLS) closes
 * the connection with one debug line. It is the client's fault and there is no channel left to
 * answer on, so it must not reach {@link RequestDispatcher}, which logs what it does not expect.
 */
@Sharable
final class TlsFailureHandler extends ChannelInboundHandlerAdapter {
  static final TlsFailureHandler INSTANCE = new TlsFailureHandler();
  private static final Logger log = LoggerFactory.getLogger(TlsFailureHandler.class);

  private TlsFailureHandler() {}

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SSLException) {
        log.debug("TLS failed on {}: {}", ctx.channel(), t.toString());
        ctx.close();
        return;
      }
    }
    ctx.fireExceptionCaught(cause);
  }
}
