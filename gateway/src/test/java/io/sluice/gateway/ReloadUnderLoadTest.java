package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import io.sluice.proto.inference.GrpcService.ModelInferRequest.InferInputTensor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A model reloaded 50 times while gRPC and HTTP clients keep sending requests over real sockets:
 * not one request may fail. Before version leases, a request that had picked the old version just
 * before the swap got "model is unloading".
 */
class ReloadUnderLoadTest {
  private static final int RELOADS = 50;
  private static final String MODEL = "iris_classifier";
  private static final String JSON =
      "{\"inputs\":[{\"name\":\"float_input\",\"datatype\":\"FP32\",\"shape\":[1,4],"
          + "\"data\":[5.1,3.5,1.4,0.2]}]}";

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong grpcOk = new AtomicLong();
  private final AtomicLong httpOk = new AtomicLong();
  private final Queue<String> failures = new ConcurrentLinkedQueue<>();

  @Test
  void fiftyReloadsUnderGrpcAndHttpLoadFailNoRequest() throws Exception {
    try (SluiceServer server =
        SluiceServer.start(
            GatewayConfig.builder()
                .modelRepository(Path.of("../examples/model_repository"))
                .host("127.0.0.1")
                .httpPort(0)
                .grpcPort(0)
                .metricsPort(0)
                .eventLoopThreads(2)
                .build())) {
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      List<Thread> clients = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        clients.add(start("grpc-client-" + i, () -> grpcLoop(channel)));
        clients.add(start("http-client-" + i, () -> httpLoop(http, server.httpPort())));
      }
      try {
        awaitSuccesses(10);
        for (int i = 0; i < RELOADS; i++) {
          long before = successes();
          server.api().load(MODEL, Map.of()).get(60, TimeUnit.SECONDS);
          // Let requests reach the new version before swapping it again.
          awaitSuccesses(before + 4);
        }
      } finally {
        running.set(false);
        for (Thread t : clients) {
          t.join(30_000);
        }
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    assertThat(failures).as("failed requests during %d reloads", RELOADS).isEmpty();
    assertThat(grpcOk.get()).isGreaterThan(RELOADS);
    assertThat(httpOk.get()).isGreaterThan(RELOADS);
  }

  private long successes() {
    return grpcOk.get() + httpOk.get();
  }

  /** Waits (at most 10 s) until {@code total} requests have succeeded in all. */
  private void awaitSuccesses(long total) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (successes() < total && System.nanoTime() < until) {
      Thread.sleep(1);
    }
  }

  private Thread start(String name, Runnable loop) {
    Thread t = new Thread(loop, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void grpcLoop(ManagedChannel channel) {
    var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    ByteBuffer features = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    features.putFloat(5.1f).putFloat(3.5f).putFloat(1.4f).putFloat(0.2f);
    ModelInferRequest request =
        ModelInferRequest.newBuilder()
            .setModelName(MODEL)
            .addInputs(
                InferInputTensor.newBuilder()
                    .setName("float_input")
                    .setDatatype("FP32")
                    .addShape(1)
                    .addShape(4))
            .addRawInputContents(ByteString.copyFrom(features.array()))
            .build();
    while (running.get()) {
      try {
        var response = stub.withDeadlineAfter(10, TimeUnit.SECONDS).modelInfer(request);
        if (response.getOutputsCount() == 0) {
          failures.add("grpc: no outputs");
        } else {
          grpcOk.incrementAndGet();
        }
      } catch (RuntimeException e) {
        failures.add("grpc: " + e);
      }
    }
  }

  private void httpLoop(HttpClient http, int port) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/models/" + MODEL
                + "/infer"))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(JSON))
            .build();
    while (running.get()) {
      try {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          failures.add("http " + r.statusCode() + ": " + r.body());
        } else {
          httpOk.incrementAndGet();
        }
      } catch (Exception e) {
        failures.add("http: " + e);
      }
    }
  }
}
