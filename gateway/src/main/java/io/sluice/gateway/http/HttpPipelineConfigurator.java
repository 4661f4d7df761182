package io.sluice.gateway.http;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
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
 *   <li>{@link LingeringClose}: every close of the connection passes here; one whose client may
 *       still be sending shuts down its output and drops what still arrives (at most 2 s), so
 *       that client reads its 4xx rather than a reset;
 *   <li>with TLS, an {@code SslHandler} made per connection from {@link
 *       ServerSecurity#httpSslContext()} (so a reloaded certificate reaches new connections), then
 *       {@link TlsFailureHandler}: a failed handshake or a plain-text client closes quietly;
 *   <li>{@link RequestTimeouts#bytes()}: starts a request's header clock at its first (decrypted)
 *       byte; the TLS handshake has its own timeout in {@code SslHandler} (10 s);
 *   <li>{@link HttpServerCodec}: HTTP/1.1 framing;
 *   <li>{@link RequestTimeouts#messages()}: idle, header and body timeouts (408), judged from the
 *       decoded messages and the responses;
 *   <li>{@link AdmissionGuard}: load shedding at the front door; an inference request refused
 *       for overload is answered 503 without its body being inflated or read into memory; a
 *       POST's matched route waits in the connection's {@link MatchedRoutes} for the dispatcher;
 *   <li>{@link BodyInflater}: {@code Content-Encoding: gzip|deflate} request bodies, inflated in
 *       bounded steps and stopped at the decompressed-size limit (413); any other coding 415;
 *   <li>{@link ExpectContinueGuard}: {@code Expect: 100-continue}, 413 at once when the declared
 *       length is over the limit;
 *   <li>{@link BodyLimitingAggregator}: one {@code FullHttpRequest}, 413 {@code {"error":…}} over
 *       the limit;
 *   <li>{@link HttpServerKeepAliveHandler}: {@code Connection} headers and closing after the last
 *       response;
 *   <li>{@link RequestDispatcher}: routes, asks the {@link AdminGuard} about control-plane
 *       routes, answers, keeps responses in request order.
 * </ol>
 *
 * <p>The connection cap is not here: {@link io.sluice.gateway.net.ConnectionLimiter} refuses a
 * connection on the listening socket, before it gets a pipeline.
 */
final class HttpPipelineConfigurator extends ChannelInitializer<SocketChannel> {
  static final int MAX_CHUNK_BYTES = 64 * 1024;

  private final HttpConfig config;
  private final ServingApi api;
  private final ContextHeaders headers;
  private final ServerSecurity security;
  private final ChannelGroup connections;
  private final HttpMeters meters;
  /** Shared by every connection of this server: a refusal's answer is encoded once. */
  private final RefusalResponses refusals = new RefusalResponses();

  HttpPipelineConfigurator(
      HttpConfig config, ServingApi api, ContextHeaders headers, ServerSecurity security,
      ChannelGroup connections, HttpMeters meters) {
    this.config = config;
    this.api = api;
    this.headers = headers;
    this.security = security;
    this.connections = connections;
    this.meters = meters;
  }

  @Override
  protected void initChannel(SocketChannel channel) {
    connections.add(channel); // removed again when it closes
    // Ahead of TLS: after the close_notify, what arrives is dropped undecrypted.
    channel.pipeline().addLast("linger", new LingeringClose());
    Optional<SslContext> tls = security.httpSslContext();
    if (tls.isPresent()) {
      channel.pipeline()
          .addLast("tls", tls.get().newHandler(channel.alloc()))
          .addLast("tls-failure", TlsFailureHandler.INSTANCE);
    }
    configure(channel.pipeline(), config, api, headers, security.admin(), meters, refusals);
  }

  /** Adds the handlers to {@code pipeline}; tests call it on an {@code EmbeddedChannel}. */
  static void configure(ChannelPipeline pipeline, HttpConfig config, ServingApi api) {
    configure(pipeline, config, api, ContextHeaders.defaults(),
        AdminGuard.loopbackOnly(new SimpleMeterRegistry()),
        new HttpMeters(new SimpleMeterRegistry()));
  }

  static void configure(ChannelPipeline pipeline, HttpConfig config, ServingApi api,
      ContextHeaders headers, AdminGuard guard, HttpMeters meters) {
    configure(pipeline, config, api, headers, guard, meters, new RefusalResponses());
  }

  static void configure(ChannelPipeline pipeline, HttpConfig config, ServingApi api,
      ContextHeaders headers, AdminGuard guard, HttpMeters meters, RefusalResponses refusals) {
    RequestTimeouts timeouts = new RequestTimeouts(config, meters, api);
    // The guard matches a POST's route at its head; the dispatcher takes it from here.
    Router router = new Router();
    MatchedRoutes matched = new MatchedRoutes();
    pipeline
        .addLast("read-timer", timeouts.bytes())
        .addLast("codec", new HttpServerCodec(
            // Body chunks as large as a socket read, rather than 8 KiB slices of it.
            new HttpDecoderConfig().setMaxChunkSize(MAX_CHUNK_BYTES)))
        .addLast("timeouts", timeouts.messages())
        .addLast("admission", new AdmissionGuard(api, router, matched))
        .addLast("inflater", new BodyInflater(config.inflateLimit(), meters, api))
        .addLast("expect-continue", new ExpectContinueGuard(config.maxBodyBytes(), api, meters))
        .addLast("aggregator", new BodyLimitingAggregator(config.maxBodyBytes(), api, meters))
        .addLast("keep-alive", new HttpServerKeepAliveHandler())
        .addLast("dispatcher",
            new RequestDispatcher(api, router, headers, guard, matched, refusals));
  }
}
