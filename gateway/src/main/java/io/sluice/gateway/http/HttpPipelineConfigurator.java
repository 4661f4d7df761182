package io.sluice.gateway.http;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.ssl.SslContext;
import io.sluice.gateway.core.ServingApi;
import io.sluice.gateway.request.ContextHeaders;
import io.sluice.gateway.security.AdminGuard;
import io.sluice.gateway.security.ServerSecurity;
import java.util.Optional;

/**
 * Wires one connection's pipeline from small handlers, each with one job, in the order bytes
 * flow:
 *
 * <ol>
 *   <li>with TLS, an {@code SslHandler} made per connection from {@link
 *       ServerSecurity#httpSslContext()} (so a reloaded certificate reaches new connections), then
 *       {@link TlsFailureHandler}: a failed handshake or a plain-text client closes quietly;
 *   <li>{@link HttpServerCodec}: HTTP/1.1 framing;
 *   <li>{@link HttpContentDecompressor}: {@code Content-Encoding: gzip|deflate} request bodies
 *       (before the size limit, so the limit counts decompressed bytes);
 *   <li>{@link ExpectContinueGuard}: {@code Expect: 100-continue}, 413 at once when the declared
 *       length is over the limit;
 *   <li>{@link BodyLimitingAggregator}: one {@code FullHttpRequest}, 413 {@code {"error":…}} over
 *       the limit;
 *   <li>{@link HttpServerKeepAliveHandler}: {@code Connection} headers and closing after the last
 *       response;
 *   <li>{@link RequestDispatcher}: routes, asks the {@link AdminGuard} about control-plane
 *       routes, answers, keeps responses in request order.
 * </ol>
 */
final class HttpPipelineConfigurator extends ChannelInitializer<SocketChannel> {
  static final int MAX_CHUNK_BYTES = 64 * 1024;

  private final HttpConfig config;
  private final ServingApi api;
  private final ContextHeaders headers;
  private final ServerSecurity security;
  private final ChannelGroup connections;

  HttpPipelineConfigurator(
      HttpConfig config, ServingApi api, ContextHeaders headers, ServerSecurity security,
      ChannelGroup connections) {
    this.config = config;
    this.api = api;
    this.headers = headers;
    this.security = security;
    this.connections = connections;
  }

  @Override
  protected void initChannel(SocketChannel channel) {
    connections.add(channel); // removed again when it closes
    Optional<SslContext> tls = security.httpSslContext();
    if (tls.isPresent()) {
      channel.pipeline()
          .addLast("tls", tls.get().newHandler(channel.alloc()))
          .addLast("tls-failure", TlsFailureHandler.INSTANCE);
    }
    configure(channel.pipeline(), config, api, headers, security.admin());
  }

  /** Adds the handlers to {@code pipeline}; tests call it on an {@code EmbeddedChannel}. */
  static void configure(ChannelPipeline pipeline, HttpConfig config, ServingApi api) {
    configure(pipeline, config, api, ContextHeaders.defaults(),
        AdminGuard.loopbackOnly(new SimpleMeterRegistry()));
  }

  static void configure(ChannelPipeline pipeline, HttpConfig config, ServingApi api,
      ContextHeaders headers, AdminGuard guard) {
    pipeline
        .addLast("codec", new HttpServerCodec(
            // Body chunks as large as a socket read, rather than 8 KiB slices of it.
            new HttpDecoderConfig().setMaxChunkSize(MAX_CHUNK_BYTES)))
        // 0: no cap per decompressed chunk; the aggregator bounds the whole body.
        .addLast("decompressor", new HttpContentDecompressor(0))
        .addLast("expect-continue", new ExpectContinueGuard(config.maxBodyBytes(), api))
        .addLast("aggregator", new BodyLimitingAggregator(config.maxBodyBytes(), api))
        .addLast("keep-alive", new HttpServerKeepAliveHandler())
        .addLast("dispatcher", new RequestDispatcher(api, new Router(), headers, guard));
  }
}
