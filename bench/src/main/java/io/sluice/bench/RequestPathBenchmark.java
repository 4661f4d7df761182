package io.sluice.bench;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sluice.gateway.GatewayConfig;
import io.sluice.gateway.SluiceServer;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import io.sluice.proto.inference.GrpcService.ModelInferRequest.InferInputTensor;
import io.sluice.proto.inference.GrpcService.ModelInferRequest.InferRequestedOutputTensor;
import io.sluice.proto.inference.GrpcService.ModelInferResponse;
import io.sluice.runtime.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The whole request path of a real {@link SluiceServer} in this JVM, one tiny-MLP inference at a
 * time over loopback: the transport's framing, decode, validation, routing, the batcher (the
 * report's "batching on" config), the ORT run (or the echo engine), statistics, encode and the
 * write. It is here for what a request allocates (P8 in issue 12), which does not depend on the
 * machine's load: run it with {@code -prof gc}, and read {@code server.bytes/req}, printed after
 * every iteration, for the server's own share.
 *
 * <p>{@code -prof gc}'s {@code gc.alloc.rate.norm} counts every thread of the JVM, the client's
 * too. So the benchmark also sums {@link com.sun.management.ThreadMXBean#getThreadAllocatedBytes}
 * over the server's threads (all named {@code sluice-*}: event loops, instance threads, the
 * monitor) across each iteration and divides by the requests sent; that figure, with the payload
 * bytes the protocol carried for one request (request and response bodies), goes to the file
 * named by {@value #OUT_ENV} when it is set, which {@code bench/alloc.sh} turns into {@code
 * alloc.json}. The gRPC client is grpc-java's blocking stub on its own event loop ({@code
 * bench-client-*}); the HTTP client is a plain keep-alive socket that writes one prepared request
 * with the binary tensor extension and reads the answer by its {@code Content-Length}.
 */
@State(Scope.Benchmark)
public class RequestPathBenchmark extends SluiceBenchmark {
  static final String OUT_ENV = "SLUICE_BENCH_ALLOC_OUT";
  private static final String SERVER_THREADS = "sluice-";
  private static final int ROWS = 1;
  private static final int FEATURES = 32;

  @Param({"grpc", "http"})
  public String protocol;

  /** {@code onnxruntime} (the tiny MLP through ORT) or {@code echo} (the transport ceiling). */
  @Param({"onnxruntime"})
  public String engine;

  private Path repository;
  private SluiceServer server;
  private EventLoopGroup clientLoop;
  private ManagedChannel channel;
  private GRPCInferenceServiceBlockingStub stub;
  private ModelInferRequest grpcRequest;
  private Socket socket;
  private OutputStream httpOut;
  private InputStream httpIn;
  private byte[] httpRequest;
  private final byte[] readBuffer = new byte[64 * 1024];
  private int payloadBytes;
  private int tensorBytes;

  private final com.sun.management.ThreadMXBean threads =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private long iterationStartBytes;
  private long requests;
  private double lastBytesPerRequest = Double.NaN;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    repository = Files.createTempDirectory("sluice-alloc-bench");
    Path model = repository.resolve("tiny_mlp");
    Files.createDirectories(model.resolve("1"));
    Files.copy(BenchModels.find("tiny_mlp"), model.resolve("1/model.onnx"));
    // The report's "batching on" repository for the tiny MLP (loadtest/report.sh repo_for).
    Files.writeString(model.resolve("config.pbtxt"),
        "name: \"tiny_mlp\"\nplatform: \"onnxruntime_onnx\"\nmax_batch_size: 64\n"
            + "input [ { name: \"input\" data_type: TYPE_FP32 dims: [ 32 ] } ]\n"
            + "output [ { name: \"output\" data_type: TYPE_FP32 dims: [ 1 ] } ]\n"
            + "instance_group [ { count: 1 kind: KIND_CPU } ]\n"
            + "dynamic_batching { }\n");
    server = SluiceServer.start(GatewayConfig.builder()
        .modelRepository(repository)
        .host("127.0.0.1")
        .httpPort(0)
        .grpcPort(0)
        .metricsPort(0)
        .eventLoopThreads(1)
        .engine(GatewayConfig.Engine.valueOf(engine.toUpperCase(java.util.Locale.ROOT)))
        .build());
    Tensor input = BenchTensors.randomFp32("input", new long[] {ROWS, FEATURES}, 1, false);
    tensorBytes = input.data().remaining();
    if (protocol.equals("grpc")) {
      clientLoop = new MultiThreadIoEventLoopGroup(
          1, new DefaultThreadFactory("bench-client", true), NioIoHandler.newFactory());
      channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
          .eventLoopGroup(clientLoop)
          .channelType(NioSocketChannel.class)
          .directExecutor()
          .usePlaintext()
          .build();
      stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
      grpcRequest = ModelInferRequest.newBuilder()
          .setModelName("tiny_mlp")
          .addInputs(InferInputTensor.newBuilder()
              .setName("input").setDatatype("FP32").addShape(ROWS).addShape(FEATURES))
          .addOutputs(InferRequestedOutputTensor.newBuilder().setName("output"))
          .addRawInputContents(ByteString.copyFrom(input.data()))
          .build();
      ModelInferResponse answer = grpc();
      payloadBytes = grpcRequest.getSerializedSize() + answer.getSerializedSize();
    } else if (protocol.equals("http")) {
      byte[] header = ("{\"inputs\":[{\"name\":\"input\",\"shape\":[" + ROWS + "," + FEATURES
              + "],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":" + tensorBytes
              + "}}],\"outputs\":[{\"name\":\"output\",\"parameters\":{\"binary_data\":true}}]}")
          .getBytes(StandardCharsets.UTF_8);
      byte[] body = new byte[header.length + tensorBytes];
      System.arraycopy(header, 0, body, 0, header.length);
      input.data().duplicate().get(body, header.length, tensorBytes);
      byte[] head = ("POST /v2/models/tiny_mlp/infer HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "Content-Type: application/octet-stream\r\n"
              + "Inference-Header-Content-Length: " + header.length + "\r\n"
              + "Content-Length: " + body.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);
      httpRequest = new byte[head.length + body.length];
      System.arraycopy(head, 0, httpRequest, 0, head.length);
      System.arraycopy(body, 0, httpRequest, head.length, body.length);
      socket = new Socket(InetAddress.getLoopbackAddress(), server.httpPort());
      socket.setTcpNoDelay(true);
      httpOut = socket.getOutputStream();
      httpIn = socket.getInputStream();
      payloadBytes = body.length + http();
    } else {
      throw new IllegalArgumentException("protocol: '" + protocol + "' (expected: grpc or http)");
    }
  }

  @Setup(Level.Iteration)
  public void startCounting() {
    iterationStartBytes = serverAllocatedBytes();
    requests = 0;
  }

  @Benchmark
  public Object infer() {
    requests++;
    return protocol.equals("grpc") ? grpc() : http();
  }

  @TearDown(Level.Iteration)
  public void stopCounting() {
    if (requests > 0) {
      lastBytesPerRequest = (double) (serverAllocatedBytes() - iterationStartBytes) / requests;
      System.out.printf("%n[alloc] %s %s: server.bytes/req %.1f over %d requests,"
              + " payload %d bytes (tensor %d in)%n",
          protocol, engine, lastBytesPerRequest, requests, payloadBytes, tensorBytes);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    String out = System.getenv(OUT_ENV);
    if (out != null && !out.isBlank() && !Double.isNaN(lastBytesPerRequest)) {
      Files.writeString(Paths.get(out),
          protocol + " " + engine + " " + Math.round(lastBytesPerRequest) + " " + payloadBytes
              + "\n",
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
    if (socket != null) {
      socket.close();
    }
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (clientLoop != null) {
      clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    if (server != null) {
      server.close();
    }
    if (repository != null) {
      try (Stream<Path> files = Files.walk(repository)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private ModelInferResponse grpc() {
    return stub.modelInfer(grpcRequest);
  }

  /** Sends the prepared request and reads one answer; returns its body's length. */
  private int http() {
    try {
      httpOut.write(httpRequest);
      httpOut.flush();
      int filled = 0;
      int headerEnd = -1;
      while (headerEnd < 0) {
        int n = httpIn.read(readBuffer, filled, readBuffer.length - filled);
        if (n < 0) {
          throw new IOException("the server closed the connection");
        }
        filled += n;
        headerEnd = indexOfBlankLine(filled);
      }
      int length = contentLength(headerEnd);
      if (readBuffer[9] != '2') {
        throw new IllegalStateException("HTTP answer: "
            + new String(readBuffer, 0, filled, StandardCharsets.ISO_8859_1));
      }
      while (filled < headerEnd + length) {
        int n = httpIn.read(readBuffer, filled, headerEnd + length - filled);
        if (n < 0) {
          throw new IOException("the server closed the connection");
        }
        filled += n;
      }
      return length;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The index just past the first CRLF CRLF, or -1. */
  private int indexOfBlankLine(int filled) {
    for (int i = 3; i < filled; i++) {
      if (readBuffer[i] == '\n' && readBuffer[i - 1] == '\r' && readBuffer[i - 2] == '\n'
          && readBuffer[i - 3] == '\r') {
        return i + 1;
      }
    }
    return -1;
  }

  /** Content-Length from the header block, read without building strings. */
  private int contentLength(int headerEnd) {
    byte[] name = "\ncontent-length:".getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + name.length < headerEnd; i++) {
      for (int j = 0; j < name.length; j++) {
        if (Character.toLowerCase(readBuffer[i + j]) != name[j]) {
          continue outer;
        }
      }
      int v = 0;
      for (int k = i + name.length; k < headerEnd; k++) {
        byte b = readBuffer[k];
        if (b >= '0' && b <= '9') {
          v = v * 10 + (b - '0');
        } else if (b == '\r') {
          return v;
        }
      }
    }
    throw new IllegalStateException("HTTP answer without Content-Length");
  }

  /** Bytes allocated so far by the server's threads (those named {@code sluice-*}). */
  private long serverAllocatedBytes() {
    long sum = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(SERVER_THREADS)) {
        long b = threads.getThreadAllocatedBytes(t.getId());
        if (b > 0) {
          sum += b;
        }
      }
    }
    return sum;
  }
}
