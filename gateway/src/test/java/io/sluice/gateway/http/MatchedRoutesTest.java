package io.sluice.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class MatchedRoutesTest {
  private final MatchedRoutes routes = new MatchedRoutes();
  private final Route infer = new Route(Route.Endpoint.MODEL_INFER, "m", "");
  private final Route predict = new Route(Route.Endpoint.V1_PREDICT, "n", "2");

  @Test
  void aRequestGetsTheRouteItsOwnHeadMatched() {
    HttpHeaders first = new DefaultHttpHeaders();
    HttpHeaders second = new DefaultHttpHeaders();
    routes.put(first, infer);
    routes.put(second, predict);

    assertThat(routes.take(first)).isSameAs(infer);
    assertThat(routes.take(second)).isSameAs(predict);
    assertThat(routes.size()).isZero();
  }

  @Test
  void requestsAreKnownByIdentityNotByEqualHeaders() {
    HttpHeaders head = new DefaultHttpHeaders().set("host", "x");
    routes.put(head, infer);

    assertThat(routes.take(new DefaultHttpHeaders().set("host", "x"))).isNull();
    assertThat(routes.take(head)).isSameAs(infer);
  }

  @Test
  void aMissForgetsNothing() {
    HttpHeaders head = new DefaultHttpHeaders();
    routes.put(head, infer);

    assertThat(routes.take(new DefaultHttpHeaders())).isNull();

    assertThat(routes.size()).isEqualTo(1);
    assertThat(routes.take(head)).isSameAs(infer);
  }

  @Test
  void aHitForgetsTheOlderRoutesWhoseRequestsNeverCame() {
    HttpHeaders answeredEarly = new DefaultHttpHeaders();
    HttpHeaders next = new DefaultHttpHeaders();
    routes.put(answeredEarly, infer);
    routes.put(next, predict);

    assertThat(routes.take(next)).isSameAs(predict);

    assertThat(routes.size()).isZero();
    assertThat(routes.take(answeredEarly)).isNull();
  }

  @Test
  void aFullRingForgetsItsOldestRoute() {
    HttpHeaders oldest = new DefaultHttpHeaders();
    routes.put(oldest, infer);
    HttpHeaders newest = null;
    for (int i = 0; i < MatchedRoutes.CAPACITY; i++) {
      newest = new DefaultHttpHeaders();
      routes.put(newest, predict);
    }

    assertThat(routes.size()).isEqualTo(MatchedRoutes.CAPACITY);
    assertThat(routes.take(oldest)).isNull();
    assertThat(routes.take(newest)).isSameAs(predict);
  }

  @Test
  void clearingForgetsEverything() {
    HttpHeaders head = new DefaultHttpHeaders();
    routes.put(head, infer);
    routes.put(new DefaultHttpHeaders(), predict);

    routes.clear();

    assertThat(routes.size()).isZero();
    assertThat(routes.take(head)).isNull();
  }
}
