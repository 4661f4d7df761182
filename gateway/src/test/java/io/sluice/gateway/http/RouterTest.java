package io.sluice.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.gateway.http.Route.Endpoint;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RouterTest {
  private final Router router = new Router();

  @ParameterizedTest
  @CsvSource({
    "/v2/health/live, SERVER_LIVE, '', ''",
    "/v2/health/ready, SERVER_READY, '', ''",
    "/v2, SERVER_METADATA, '', ''",
    "/v2/models/m, MODEL_METADATA, m, ''",
    "/v2/models/m/versions/3, MODEL_METADATA, m, 3",
    "/v2/models/m/ready, MODEL_READY, m, ''",
    "/v2/models/m/versions/3/ready, MODEL_READY, m, 3",
    "/v2/models/m/config, MODEL_CONFIG, m, ''",
    "/v2/models/m/versions/12/config, MODEL_CONFIG, m, 12",
    "/v2/models/stats, MODEL_STATISTICS, '', ''",
    "/v2/models/m/stats, MODEL_STATISTICS, m, ''",
    "/v2/models/m/versions/1/stats, MODEL_STATISTICS, m, 1",
    "/v2/models/m/infer, MODEL_INFER, m, ''",
    "/v2/models/m/versions/2/infer, MODEL_INFER, m, 2",
    "/v2/repository/index, REPOSITORY_INDEX, '', ''",
    "/v2/repository/models/m/load, REPOSITORY_LOAD, m, ''",
    "/v2/repository/models/m/unload, REPOSITORY_UNLOAD, m, ''",
    "/v2/registry/webhook, REGISTRY_WEBHOOK, '', ''",
    "/v1/models/m, V1_MODEL_STATUS, m, ''",
    "/v1/models/m/versions/3, V1_MODEL_STATUS, m, 3",
    "/v1/models/m/metadata, V1_MODEL_METADATA, m, ''",
    "/v1/models/m/versions/2/metadata, V1_MODEL_METADATA, m, 2",
    "/v1/models/m:predict, V1_PREDICT, m, ''",
    "/v1/models/a%3Ab:predict, V1_PREDICT, a:b, ''",
    "/v1/models/m/versions/7:predict, V1_PREDICT, m, 7",
  })
  void everyProtocolRouteIsMatched(String path, Endpoint endpoint, String model, String version) {
    assertThat(router.match(path)).isEqualTo(new Route(endpoint, model, version));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "/", "/v1/models", "/v1/models/", "/v1/models/m/versions", "/v1/models/m/x",
    "/v1/models/m:explain", "/v1/models/m/metadata:predict", "/v2/", "/v2/health", "/v2/health/live/", "/v2/models",
    "/v2/models/", "/v2/models//ready", "/v2/models/m/explain", "/v2/models/m/versions",
    "/v2/models/m/versions/1/infer/x", "/v2/repository/models/m", "/v2/repository/index/x",
    "/v2x", "/v2/models/m/versions//ready", "/v2/registry", "/v2/registry/webhook/x"
  })
  void pathsOutsideTheProtocolMatchNothing(String path) {
    assertThat(router.match(path)).isNull();
  }

  @Test
  void theQueryStringIsIgnored() {
    assertThat(router.match("/v2/models/m/ready?verbose=1#frag"))
        .isEqualTo(new Route(Endpoint.MODEL_READY, "m", ""));
  }

  @Test
  void anAbsoluteFormTargetIsReducedToItsPath() {
    assertThat(router.match("http://localhost:8000/v2/health/live"))
        .isEqualTo(Route.of(Endpoint.SERVER_LIVE));
  }

  @Test
  void modelNamesArePercentDecodedAsUtf8() {
    assertThat(router.match("/v2/models/my%20model%2Fv%C3%A9/infer").model())
        .isEqualTo("my model/vé");
  }

  @Test
  void aPlusInAModelNameStaysAPlus() {
    assertThat(router.match("/v2/models/a+b").model()).isEqualTo("a+b");
  }

  @Test
  void aNonNumericVersionIsABadRequestNamingTheSegment() {
    assertThatThrownBy(() -> router.match("/v2/models/m/versions/latest/infer"))
        .isInstanceOfSatisfying(StatusException.class, e -> {
          assertThat(e.status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getMessage()).contains("'latest'").contains("expected: decimal digits");
        });
  }

  @Test
  void aBrokenPercentEscapeIsABadRequest() {
    assertThatThrownBy(() -> router.match("/v2/models/bad%2/ready"))
        .isInstanceOfSatisfying(StatusException.class,
            e -> assertThat(e.status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }

  @Test
  void percentEscapesThatAreNotUtf8AreABadRequest() {
    assertThatThrownBy(() -> router.match("/v2/models/%FF/ready"))
        .isInstanceOf(StatusException.class);
  }

  @Test
  void tfServingsClassifyAndRegressAreUnimplemented() {
    assertThatThrownBy(() -> router.match("/v1/models/m:classify"))
        .isInstanceOfSatisfying(StatusException.class,
            e -> assertThat(e.status().code()).isEqualTo(Status.Code.UNIMPLEMENTED));
  }
}
