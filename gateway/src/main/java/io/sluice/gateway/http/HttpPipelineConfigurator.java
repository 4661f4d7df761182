package io.sluice.gateway.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.sluice.gateway.core.ServingApi;
import io.sluice.gateway.request.ContextHeaders;

/**
 * Wires one connection's pipeline from small handlers, each with one job, in the order bytes
 * flow:
 *
 * <ol>
 *   <li>{@link HttpServerCodec}: HTTP/1.1 framing;
 *   <li>{@link HttpContentDecompressor}: {@code Content-Encoding: gzip|deflate} request bodies
 *       (before the size limit, so the limit counts decompressed bytes);
 *   <li>{@link ExpectContinueGuard}: {@code Expect: 100-continue}, 413 at once when the declared
 *       length is over the limit;
 *   <li>{@link BodyLimitingAggregator}: one {@code FullHttpRequest}, 413 {@code {"error":…}} over
 *       the limit;
 *   <li>{@link HttpServerKeepAliveHandler}: {@code Connection} headers and closing after the last
 *       response;
 *   <li>{@link RequestDispatcher}: routes, answers, keeps responses in request order.
 * </ol>
 */
final class HttpPipelineConfigurator extends ChannelInitializer<SocketChannel> {
  static final int MAX_CHUNK_BYTES = 64 * 1024;

  private final HttpConfig config;
  private final ServingApi api;
  private final ContextHeaders headers;
  private final ChannelGroup connections;

  HttpPipelineConfigurator(
      HttpConfig config, ServingApi api, ContextHeaders headers, ChannelGroup connections) {
    this.config = config;
    this.api = api;
    this.headers = headers;
    this.connections = connections;
  }

  @Override
  protected void initChannel(SocketChannel channel) {
    connections.add(channel); // removed again when it closes
    configure(channel.pipeline(), config, api, headers);
  }

  /** Adds the handlers to {@code pipeline}; tests call it on an {@code EmbeddedChannel}. */
  static void configure(ChannelPipeline pipeline, HttpConfig config, ServingApi api) {
    configure(pipeline, config, api, ContextHeaders.defaults());
  }

  static void configure(
      ChannelPipeline pipeline, HttpConfig config, ServingApi api, ContextHeaders headers) {
    pipeline
        .addLast("codec", new HttpServerCodec(
            // Body chunks as large as a socket read, rather than 8 KiB slices of it.
            new HttpDecoderConfig().setMaxChunkSize(MAX_CHUNK_BYTES)))
        // 0: no cap per decompressed chunk; the aggregator bounds the whole body.
        .addLast("decompressor", new HttpContentDecompressor(0))
        .addLast("expect-continue", new ExpectContinueGuard(config.maxBodyBytes(), api))
        .addLast("aggregator", new BodyLimitingAggregator(config.maxBodyBytes(), api))
        .addLast("keep-alive", new HttpServerKeepAliveHandler())
        .addLast("dispatcher", new RequestDispatcher(api, new Router(), headers));
  }
}
