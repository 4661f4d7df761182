package io.sluice.gateway.grpc;

import io.grpc.Server;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.sluice.gateway.core.ServingApi;
import io.sluice.gateway.net.ConnectionLimiter;
import io.sluice.gateway.net.Transports;
import io.sluice.gateway.request.ContextHeaders;
import io.sluice.gateway.security.ServerSecurity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC front end: Triton's {@code inference.GRPCInferenceService}, {@code
 * grpc.health.v1.Health} and Sluice's rollout admin ({@code sluice.admin.v1.TrafficAdmin}) on one
 * Netty server.
 *
 * <p>The server runs on event loops it is given and does not own, the same ones the HTTP server
 * uses, so a small machine has one set of I/O threads. It uses a direct executor: handlers run on
 * the event loop, which is right only because none of them blocks ({@link ServingApi} promises
 * that, and inference completes from the runtime's threads). That saves a thread hop per call.
 * The inbound message limit comes from {@link GrpcConfig}, far above grpc-java's 4 MiB default.
 *
 * <p>Security comes from a {@link ServerSecurity}: TLS (ALPN h2) when it has a context, and the
 * repository and rollout admin methods behind its admin guard ({@link AdminInterceptor}).
 * Overload is refused at call start, before the context is read, by {@link AdmissionInterceptor}.
 *
 * <p>Connection hygiene, from {@link GrpcConfig}: the listening socket carries the same {@link
 * ConnectionLimiter} as HTTP's (through {@code channelFactory}, the builder's public hook on the
 * server channel), so a connection over the cap is reset at accept and counted; a connection with
 * no call open for the idle timeout gets GOAWAY ({@code maxConnectionIdle}); one that has not sent
 * its HTTP/2 preface and settings within the handshake timeout is closed ({@code
 * handshakeTimeout}); and one connection holds at most {@code maxCallsPerConnection} calls at
 * once. A call whose message trickles in is bounded by HTTP/2 flow control (the server holds at
 * most the partial message, itself at most {@code maxMessageBytes}) and by the client's deadline;
 * grpc-java enforces {@code maxMessageBytes} on the decompressed size while it inflates.
 * grpc-java's keepalive policy stays at its defaults (clients may ping every 5 minutes at most).
 */
public final class GrpcFrontEnd implements AutoCloseable {
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);
  /** Triton's repository methods and Sluice's rollout admin: the guarded control plane. */
  private static final java.util.Set<String> ADMIN_METHODS = java.util.stream.Stream.concat(
      AdminInterceptor.REPOSITORY_METHODS.stream(), TrafficAdminService.METHODS.stream())
      .collect(java.util.stream.Collectors.toUnmodifiableSet());

  private final Server server;

  private GrpcFrontEnd(Server server) {
    this.server = server;
  }

  /**
   * Binds and starts the server.
   *
   * @param boss the event loops that accept connections; the caller owns and closes them
   * @param workers the event loops that serve connections; the caller owns and closes them
   * @throws UncheckedIOException when the address cannot be bound
   */
  public static GrpcFrontEnd start(
      GrpcConfig config, ServingApi api, EventLoopGroup boss, EventLoopGroup workers) {
    return start(config, api, boss, workers, ContextHeaders.defaults());
  }

  /** As above, copying {@code headers} (metadata keys) into each inference request's context. */
  public static GrpcFrontEnd start(
      GrpcConfig config, ServingApi api, EventLoopGroup boss, EventLoopGroup workers,
      ContextHeaders headers) {
    return start(config, api, boss, workers, headers, ServerSecurity.plain());
  }

  /**
   * As above, with {@code security}'s TLS (when it has a context) and admin guard; the caller
   * owns {@code security} and closes it.
   */
  public static GrpcFrontEnd start(
      GrpcConfig config, ServingApi api, EventLoopGroup boss, EventLoopGroup workers,
      ContextHeaders headers, ServerSecurity security) {
    return start(config, api, boss, workers, headers, security, new SimpleMeterRegistry());
  }

  /** As above, registering {@code sluice_connections_*{protocol="grpc"}} in {@code registry}. */
  public static GrpcFrontEnd start(
      GrpcConfig config, ServingApi api, EventLoopGroup boss, EventLoopGroup workers,
      ContextHeaders headers, ServerSecurity security, MeterRegistry registry) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(security, "security");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(api, "api");
    Objects.requireNonNull(boss, "boss");
    Objects.requireNonNull(workers, "workers");
    ConnectionLimiter limiter = new ConnectionLimiter(config.maxConnections(), "grpc", registry);
    NettyServerBuilder builder = NettyServerBuilder
        .forAddress(new InetSocketAddress(config.host(), config.port()));
    security.grpcSslContext().ifPresent(builder::sslContext);
    Server server = builder
        .bossEventLoopGroup(boss)
        .workerEventLoopGroup(workers)
        .channelFactory(() -> {
          ServerChannel listening = Transports.newServerChannel(boss);
          // First on the listening pipeline: ahead of the acceptor the server bootstrap adds.
          listening.pipeline().addLast("connection-limit", limiter);
          return listening;
        })
        .maxInboundMessageSize(config.maxMessageBytes())
        .maxConnectionIdle(config.idleTimeout().toNanos(), TimeUnit.NANOSECONDS)
        .handshakeTimeout(config.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS)
        .maxConcurrentCallsPerConnection(config.maxCallsPerConnection())
        // Every handler is non-blocking, so running them on the event loop is safe and saves a hop.
        .directExecutor()
        // A request that does not parse is INVALID_ARGUMENT, not UNKNOWN and a SEVERE trace.
        .addService(RequestParseGuard.wrap(new InferenceService(api, workers)))
        .addService(RequestParseGuard.wrap(new HealthService(api)))
        .addService(RequestParseGuard.wrap(new TrafficAdminService(api)))
        // Server reflection, so grpcurl and similar tools work without the .proto files.
        .addService(RequestParseGuard.wrap(ProtoReflectionServiceV1.newInstance()))
        // Innermost: a denied control-plane call is still counted by the error interceptor.
        .intercept(new AdminInterceptor(security.admin(), ADMIN_METHODS))
        .intercept(new RouteMetadataInterceptor())
        .intercept(new ContextMetadataInterceptor(headers))
        // Before the context is read: a refusal at the front door costs as little as it can.
        .intercept(new AdmissionInterceptor(api))
        .intercept(new ErrorCountingInterceptor(api))
        .build();
    try {
      server.start();
    } catch (IOException e) {
      server.shutdownNow();
      throw new UncheckedIOException(
          "cannot start gRPC on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
    }
    return new GrpcFrontEnd(server);
  }

  /** The bound port (the real one when the config asked for port 0). */
  public int port() {
    return server.getPort();
  }

  /**
   * The first step of a graceful shutdown: stops listening and sends every connection a GOAWAY,
   * so new calls are refused (UNAVAILABLE, which clients retry elsewhere) while running calls go
   * on.
   */
  public void drain() {
    server.shutdown();
  }

  /**
   * Gives running calls up to {@code grace} to finish, then cancels what is left. The event
   * loops stay up: they belong to the caller.
   *
   * @return whether every call finished within the grace
   */
  public boolean close(Duration grace) {
    server.shutdown();
    try {
      if (server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        return true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.shutdownNow();
    return false;
  }

  /** {@link #close(Duration)} with a few seconds' grace. */
  @Override
  public void close() {
    close(SHUTDOWN_GRACE);
  }
}
