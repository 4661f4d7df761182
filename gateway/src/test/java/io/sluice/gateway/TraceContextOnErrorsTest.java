package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import io.sluice.proto.inference.GrpcService.InferTensorContents;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A failed request whose caller sent a W3C {@code traceparent} is answered with it (an HTTP
 * header, a gRPC trailer) and its log line names the trace id, in the text and as a key-value
 * pair (a JSON log's {@code trace_id} field); over real HTTP and gRPC.
 */
class TraceContextOnErrorsTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PARENT = "00-" + TRACE + "-00f067aa0ba902b7-01";
  private static final String BAD_BODY = "{\"inputs\": [{\"name\": \"float_input\", \"shape\":"
      + " [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}";
  private static SluiceServer server;
  private static final HttpClient http = HttpClient.newHttpClient();
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final List<Logger> loggers = List.of(
      (Logger) LoggerFactory.getLogger("io.sluice.gateway.http.RequestDispatcher"),
      (Logger) LoggerFactory.getLogger("io.sluice.gateway.grpc.ErrorCountingInterceptor"));

  @BeforeAll
  static void start() throws Exception {
    server = SluiceServer.start(GatewayConfig.builder()
        .modelRepository(Path.of("../examples/model_repository"))
        .host("127.0.0.1").httpPort(0).grpcPort(0).metricsPort(0).eventLoopThreads(1)
        .build());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void listen() {
    lines.start();
    for (Logger l : loggers) {
      l.setLevel(Level.DEBUG);
      l.addAppender(lines);
    }
  }

  @AfterEach
  void unlisten() {
    for (Logger l : loggers) {
      l.detachAppender(lines);
      l.setLevel(null);
    }
  }

  private static HttpResponse<String> badHttp(String traceparent) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + server.httpPort() + "/v2/models/iris_classifier/infer"))
        .POST(HttpRequest.BodyPublishers.ofString(BAD_BODY));
    if (traceparent != null) {
      b.header("traceparent", traceparent);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private ILoggingEvent onlyLine() {
    assertThat(lines.list).hasSize(1);
    return lines.list.get(0);
  }

  @Test
  void aFailedHttpRequestCarriesTheCallersTraceparentBackAndIntoItsLogLine() throws Exception {
    HttpResponse<String> answer = badHttp(PARENT);

    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(answer.headers().firstValue("traceparent")).hasValue(PARENT);
    ILoggingEvent line = onlyLine();
    assertThat(line.getFormattedMessage()).contains("answered INVALID_ARGUMENT")
        .contains("trace_id=" + TRACE);
    assertThat(line.getKeyValuePairs()).anySatisfy(kv -> {
      assertThat(kv.key).isEqualTo("trace_id");
      assertThat(kv.value).isEqualTo(TRACE);
    });
  }

  @Test
  void aFailedHttpRequestWithoutATraceparentGetsNone() throws Exception {
    HttpResponse<String> answer = badHttp(null);

    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(answer.headers().firstValue("traceparent")).isEmpty();
    assertThat(onlyLine().getFormattedMessage()).contains("trace_id=none");
  }

  @Test
  void anInvalidTraceparentIsTreatedAsAbsent() throws Exception {
    HttpResponse<String> answer = badHttp(PARENT.toUpperCase());

    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(answer.headers().firstValue("traceparent")).isEmpty();
  }

  @Test
  void aFailedGrpcCallCarriesTheCallersTraceparentInItsTrailersAndLogLine() throws Exception {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    try {
      Metadata headers = new Metadata();
      Metadata.Key<String> key = Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
      headers.put(key, PARENT);
      var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
      ModelInferRequest bad = ModelInferRequest.newBuilder()
          .setModelName("iris_classifier")
          .addInputs(ModelInferRequest.InferInputTensor.newBuilder()
              .setName("float_input").setDatatype("FP32").addShape(1).addShape(3)
              .setContents(InferTensorContents.newBuilder()
                  .addFp32Contents(1).addFp32Contents(2).addFp32Contents(3)))
          .build();

      StatusRuntimeException e =
          catchThrowableOfType(StatusRuntimeException.class, () -> stub.modelInfer(bad));

      assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
      assertThat(e.getTrailers().get(key)).isEqualTo(PARENT);
      assertThat(onlyLine().getFormattedMessage()).contains("answered INVALID_ARGUMENT")
          .contains("trace_id=" + TRACE);
    } finally {
      channel.shutdownNow();
    }
  }
}
