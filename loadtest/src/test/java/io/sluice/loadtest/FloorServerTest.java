package io.sluice.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import io.sluice.proto.inference.GrpcService.ModelInferResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The B2 floor servers answer the project's own driver, and a plain client, with V2 responses. */
class FloorServerTest {
  private final EventLoopGroup serverLoops = Main.eventLoops(1);
  private final EventLoopGroup clientLoops = Main.eventLoops(1);
  private final CannedResponse canned =
      CannedResponse.of("tiny_mlp", "output", "FP32", new long[] {1, 1});
  private final InferPayload payload =
      InferPayload.of("tiny_mlp", "input", "FP32", new long[] {1, 32}, 7);

  @AfterEach
  void stop() {
    clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    serverLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void theHttpFloorAnswersTheDriversBinaryRequestsWithoutErrors() throws Exception {
    try (HttpFloorServer server = new HttpFloorServer(serverLoops, "127.0.0.1", 0, canned);
        Session session = session(new HttpTransport(
            "127.0.0.1", server.port(), payload, 4, clientLoops.next()))) {
      WindowResult r = session.closed("c4", 4, Window.ofSeconds(1, 0.5));

      assertThat(r.errors()).isEmpty();
      assertThat(r.succeeded()).isPositive();
    }
  }

  @Test
  void theHttpFloorSendsAV2BinaryExtensionResponse() throws Exception {
    try (HttpFloorServer server = new HttpFloorServer(serverLoops, "127.0.0.1", 0, canned)) {
      byte[] json = HttpTransport.header(payload).getBytes(StandardCharsets.UTF_8);
      byte[] body = new byte[json.length + payload.bytes().length];
      System.arraycopy(json, 0, body, 0, json.length);
      System.arraycopy(payload.bytes(), 0, body, json.length, payload.bytes().length);
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI uri = URI.create("http://127.0.0.1:" + server.port() + "/v2/models/tiny_mlp/infer");

      for (int i = 0; i < 2; i++) {
        HttpResponse<byte[]> r =
            client.send(
                HttpRequest.newBuilder(uri)
                    .header(HttpTransport.HEADER_LENGTH, Integer.toString(json.length))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(r.statusCode()).isEqualTo(200);
        int headerLength =
            Integer.parseInt(r.headers().firstValue(HttpTransport.HEADER_LENGTH).orElseThrow());
        String header = new String(r.body(), 0, headerLength, StandardCharsets.UTF_8);
        assertThat(Json.MAPPER.readTree(header).path("outputs").path(0).path("shape").toString())
            .isEqualTo("[1,1]");
        assertThat(r.body()).hasSize(headerLength + 4);
      }
    }
  }

  @Test
  void theGrpcFloorAnswersTheDriverAndAParsingClient() throws Exception {
    try (GrpcFloorServer server = new GrpcFloorServer(serverLoops, "127.0.0.1", 0, canned)) {
      try (Session session = session(new GrpcTransport(
          "127.0.0.1", server.port(), payload, 1, clientLoops))) {
        WindowResult r = session.closed("c4", 4, Window.ofSeconds(1, 0.5));

        assertThat(r.errors()).isEmpty();
        assertThat(r.succeeded()).isPositive();
      }
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        ModelInferResponse response =
            GRPCInferenceServiceGrpc.newBlockingStub(channel)
                .modelInfer(GrpcTransport.request(payload));

        assertThat(response.getModelName()).isEqualTo("tiny_mlp");
        assertThat(response.getOutputs(0).getShapeList()).containsExactly(1L, 1L);
        assertThat(response.getRawOutputContents(0).size()).isEqualTo(4);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static Session session(Transport transport) {
    return new Session(transport, Ticker.system(), CpuTime.self(), null, null, 1_000_000_000L);
  }
}
