package io.sluice.loadtest;

import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * B2's gRPC half, the transport floor: a bare grpc-java server whose {@code ModelInfer} answers
 * every call with the same pre-encoded {@code ModelInferResponse}. The request's bytes are read
 * off the stream (gRPC's framing needs them consumed) but never parsed, and the response is the
 * canned bytes, so the cost measured is grpc-java's and Netty's own; calls run on the event loop
 * ({@code directExecutor}), as in Sluice's front end.
 */
final class GrpcFloorServer implements AutoCloseable {
  private final Server server;

  GrpcFloorServer(EventLoopGroup group, String host, int port, CannedResponse response) {
    byte[] canned = response.grpc();
    MethodDescriptor<Object, byte[]> infer =
        MethodDescriptor.<Object, byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName())
            .setRequestMarshaller(new Discard())
            .setResponseMarshaller(new Canned())
            .build();
    ServerServiceDefinition service =
        ServerServiceDefinition.builder(GRPCInferenceServiceGrpc.SERVICE_NAME)
            .addMethod(
                infer,
                ServerCalls.asyncUnaryCall(
                    (request, observer) -> {
                      observer.onNext(canned);
                      observer.onCompleted();
                    }))
            .build();
    try {
      server =
          NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
              .bossEventLoopGroup(group)
              .workerEventLoopGroup(group)
              .channelType(NioServerSocketChannel.class)
              .directExecutor()
              .maxInboundMessageSize(256 << 20)
              .addService(service)
              .build()
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + host + ":" + port, e);
    }
  }

  int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Reads a request's bytes and keeps nothing: the floor does no decoding. */
  private static final class Discard implements MethodDescriptor.Marshaller<Object> {
    private static final Object REQUEST = new Object();

    @Override
    public InputStream stream(Object value) {
      throw new UnsupportedOperationException("the floor server sends no requests");
    }

    @Override
    public Object parse(InputStream stream) {
      try {
        stream.skip(Long.MAX_VALUE);
        while (stream.read() >= 0) {
          stream.skip(Long.MAX_VALUE);
        }
        return REQUEST;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The canned bytes as they are; {@link KnownLength} lets grpc-java frame without a copy. */
  private static final class Canned implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new Known(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      throw new UnsupportedOperationException("the floor server reads no responses");
    }
  }

  private static final class Known extends ByteArrayInputStream implements KnownLength {
    Known(byte[] bytes) {
      super(bytes);
    }
  }
}
