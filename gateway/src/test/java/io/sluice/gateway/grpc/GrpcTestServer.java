package io.sluice.gateway.grpc;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceStub;
import java.util.concurrent.TimeUnit;

/**
 * A real {@link GrpcFrontEnd} on an ephemeral loopback port over a {@link FakeServingApi}, with
 * its own event loops (as the gateway's would be) and a Netty client channel.
 */
final class GrpcTestServer implements AutoCloseable {
  static final int CLIENT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

  final FakeServingApi api = new FakeServingApi();
  final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  final GrpcFrontEnd frontEnd;
  final ManagedChannel channel;

  GrpcTestServer() {
    this(GrpcConfig.ofDefaults());
  }

  /** Listens on 127.0.0.1 and an ephemeral port, whatever {@code config} says. */
  GrpcTestServer(GrpcConfig config) {
    frontEnd = GrpcFrontEnd.start(
        new GrpcConfig("127.0.0.1", 0, config.maxMessageBytes()), api, boss, workers);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", frontEnd.port())
        .usePlaintext()
        .maxInboundMessageSize(CLIENT_MAX_MESSAGE_BYTES)
        .build();
  }

  GRPCInferenceServiceBlockingStub blocking() {
    return GRPCInferenceServiceGrpc.newBlockingStub(channel);
  }

  GRPCInferenceServiceStub async() {
    return GRPCInferenceServiceGrpc.newStub(channel);
  }

  HealthGrpc.HealthBlockingStub health() {
    return HealthGrpc.newBlockingStub(channel);
  }

  @Override
  public void close() {
    try {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      frontEnd.close();
      workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
