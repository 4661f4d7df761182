package io.sluice.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runtime.Status;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GrpcStatusesTest {

  @ParameterizedTest
  @EnumSource(Status.Code.class)
  void everySluiceCodeBecomesTheGrpcCodeOfTheSameNameWithItsDescription(Status.Code code) {
    io.grpc.Status status =
        GrpcStatuses.toGrpc(Status.of(code, "what went wrong").asException());

    assertThat(status.getCode().name()).isEqualTo(code.name());
    assertThat(status.getDescription()).isEqualTo("what went wrong");
  }

  @Test
  void aStatusExceptionWrappedByAFutureKeepsItsCodeAndDescription() {
    io.grpc.Status status = GrpcStatuses.toGrpc(
        new CompletionException(Status.notFound("unknown model 'x'").asException()));

    assertThat(status.getCode()).isEqualTo(io.grpc.Status.Code.NOT_FOUND);
    assertThat(status.getDescription()).isEqualTo("unknown model 'x'");
  }

  @Test
  void anyOtherThrowableIsInternalWithAGenericDescriptionAndItsCause() {
    IllegalStateException cause = new IllegalStateException("session closed");
    io.grpc.Status status = GrpcStatuses.toGrpc(new CompletionException(cause));

    assertThat(status.getCode()).isEqualTo(io.grpc.Status.Code.INTERNAL);
    assertThat(status.getDescription()).isEqualTo(Status.INTERNAL_ERROR);
    assertThat(status.getCause()).isSameAs(cause);
  }

  @Test
  void aThrowableWithoutMessageNamesNoClass() {
    io.grpc.Status status = GrpcStatuses.toGrpc(new NullPointerException());

    assertThat(status.getCode()).isEqualTo(io.grpc.Status.Code.INTERNAL);
    assertThat(status.getDescription()).isEqualTo(Status.INTERNAL_ERROR);
  }

  @Test
  void aDescriptionLosesClassNamesUrlsAndServerPaths() {
    io.grpc.Status status = GrpcStatuses.toGrpc(Status.invalidArgument(
            "invalid 'config' parameter: com.google.gson.stream.MalformedJsonException: Expected"
                + " ':' at line 1 column 7\nSee https://github.com/google/gson/blob/main/x.md"
                + " reading /tmp/repo/m/1/model.onnx")
        .asException());

    assertThat(status.getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription())
        .isEqualTo("invalid 'config' parameter: Expected ':' at line 1 column 7 reading model.onnx");
  }

  @Test
  void aRetryHintTravelsAsPushbackAndRetryAfterTrailers() {
    io.grpc.StatusRuntimeException e = GrpcStatuses.toException(new CompletionException(
        Status.overloaded("overloaded: about 1500 ms of work is queued", 1500).asException()));

    assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
    assertThat(e.getTrailers().get(GrpcStatuses.RETRY_PUSHBACK_MS)).isEqualTo("1500");
    assertThat(e.getTrailers().get(GrpcStatuses.RETRY_AFTER)).isEqualTo("2");
  }

  @Test
  void aStatusWithoutRetryHintHasNoRetryTrailers() {
    io.grpc.StatusRuntimeException e =
        GrpcStatuses.toException(Status.unavailable("model is unloading").asException());

    assertThat(e.getTrailers() == null
        || e.getTrailers().get(GrpcStatuses.RETRY_PUSHBACK_MS) == null).isTrue();
  }
}
