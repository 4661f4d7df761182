package io.sluice.loadtest;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceStub;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import io.sluice.proto.inference.GrpcService.ModelInferResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * KServe V2 {@code ModelInfer} over grpc-java's async stub, one prebuilt request with the tensor in
 * {@code raw_input_contents}, spread round-robin over a few channels. Callbacks run directly on the
 * Netty event loop (the client has one core; a hop would only add latency).
 */
final class GrpcTransport implements Transport {
  private final ManagedChannel[] channels;
  private final GRPCInferenceServiceStub[] stubs;
  private final ModelInferRequest request;
  private final AtomicInteger next = new AtomicInteger();
  private final String description;

  GrpcTransport(
      String host, int port, InferPayload payload, int channelCount, EventLoopGroup group) {
    request = request(payload);
    channels = new ManagedChannel[channelCount];
    stubs = new GRPCInferenceServiceStub[channelCount];
    for (int i = 0; i < channelCount; i++) {
      channels[i] =
          NettyChannelBuilder.forAddress(host, port)
              .usePlaintext()
              .eventLoopGroup(group)
              .channelType(NioSocketChannel.class)
              .directExecutor()
              .maxInboundMessageSize(256 << 20)
              .build();
      stubs[i] = GRPCInferenceServiceGrpc.newStub(channels[i]);
    }
    description = "grpc " + host + ":" + port + " x" + channelCount + " channel(s)";
  }

  static ModelInferRequest request(InferPayload payload) {
    ModelInferRequest.InferInputTensor.Builder input =
        ModelInferRequest.InferInputTensor.newBuilder()
            .setName(payload.inputName())
            .setDatatype(payload.datatype());
    for (long d : payload.shape()) {
      input.addShape(d);
    }
    return ModelInferRequest.newBuilder()
        .setModelName(payload.model())
        .addInputs(input)
        .addRawInputContents(ByteString.copyFrom(payload.bytes()))
        .build();
  }

  @Override
  public void send(Completion completion) {
    int i = Math.floorMod(next.getAndIncrement(), stubs.length);
    stubs[i].modelInfer(request, new Observer(completion));
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels) {
      try {
        c.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Turns one call's outcome into a {@link Completion}. */
  private static final class Observer implements StreamObserver<ModelInferResponse> {
    private final Completion completion;

    Observer(Completion completion) {
      this.completion = completion;
    }

    @Override
    public void onNext(ModelInferResponse value) {}

    @Override
    public void onError(Throwable t) {
      completion.complete("grpc_" + Status.fromThrowable(t).getCode());
    }

    @Override
    public void onCompleted() {
      completion.complete(null);
    }
  }
}
