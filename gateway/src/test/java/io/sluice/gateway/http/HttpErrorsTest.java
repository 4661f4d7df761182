package io.sluice.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.sluice.runtime.Status;
import org.junit.jupiter.api.Test;

class HttpErrorsTest {

  @Test
  void anOverloadIs503WithRetryAfterInWholeSecondsRoundedUp() {
    FullHttpResponse r = HttpErrors.response(Status.overloaded("overloaded", 1200));
    try {
      assertThat(r.status().code()).isEqualTo(503);
      assertThat(r.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("2");
    } finally {
      r.release();
    }
  }

  @Test
  void aShortRetryHintStillSaysOneSecond() {
    FullHttpResponse r = HttpErrors.response(Status.overloaded("overloaded", 3));
    try {
      assertThat(r.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("1");
    } finally {
      r.release();
    }
  }

  @Test
  void otherUnavailableAnswersCarryNoRetryAfter() {
    FullHttpResponse r = HttpErrors.response(Status.unavailable("model is unloading"));
    try {
      assertThat(r.status().code()).isEqualTo(503);
      assertThat(r.headers().contains(HttpHeaderNames.RETRY_AFTER)).isFalse();
    } finally {
      r.release();
    }
  }
}
