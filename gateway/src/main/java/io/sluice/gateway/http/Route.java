package io.sluice.gateway.http;

import io.netty.handler.codec.http.HttpMethod;

/**
 * A matched route: which endpoint, and the model and version named in the path.
 *
 * @param endpoint what the path asks for
 * @param model the percent-decoded model name, "" when the path names none
 * @param version the version's decimal digits, "" for the latest
 */
record Route(Endpoint endpoint, String model, String version) {

  static Route of(Endpoint endpoint) {
    return new Route(endpoint, "", "");
  }

  /** Who may call an endpoint. */
  enum Access {
    /** The data plane: health, metadata, config, statistics, inference. */
    OPEN,
    /** The control plane: only what the {@link io.sluice.gateway.security.AdminGuard} allows. */
    ADMIN
  }

  /** The protocol's endpoints, each with the one method it answers and who may call it. */
  enum Endpoint {
    SERVER_LIVE(HttpMethod.GET),
    SERVER_READY(HttpMethod.GET),
    SERVER_METADATA(HttpMethod.GET),
    MODEL_METADATA(HttpMethod.GET),
    MODEL_READY(HttpMethod.GET),
    MODEL_CONFIG(HttpMethod.GET),
    MODEL_STATISTICS(HttpMethod.GET),
    MODEL_INFER(HttpMethod.POST),
    MODEL_DRIFT(HttpMethod.GET),
    MODEL_FEEDBACK(HttpMethod.POST),
    /** TensorFlow Serving's REST API (also KServe's V1 protocol). */
    V1_MODEL_STATUS(HttpMethod.GET),
    V1_MODEL_METADATA(HttpMethod.GET),
    V1_PREDICT(HttpMethod.POST),
    MODEL_TRAFFIC(HttpMethod.GET, Access.ADMIN),
    MODEL_TRAFFIC_PUT(HttpMethod.PUT, Access.ADMIN),
    MODEL_PROMOTE(HttpMethod.POST, Access.ADMIN),
    MODEL_ROLLBACK(HttpMethod.POST, Access.ADMIN),
    MODEL_ROLLOUT(HttpMethod.POST, Access.ADMIN),
    VERSION_FAULTS(HttpMethod.PUT, Access.ADMIN),
    REPOSITORY_INDEX(HttpMethod.POST, Access.ADMIN),
    REPOSITORY_LOAD(HttpMethod.POST, Access.ADMIN),
    REPOSITORY_UNLOAD(HttpMethod.POST, Access.ADMIN),
    // Open: the delivery authenticates itself with its HMAC signature.
    REGISTRY_WEBHOOK(HttpMethod.POST);

    private final HttpMethod method;
    private final Access access;

    Endpoint(HttpMethod method) {
      this(method, Access.OPEN);
    }

    Endpoint(HttpMethod method, Access access) {
      this.method = method;
      this.access = access;
    }

    HttpMethod method() {
      return method;
    }

    /**
     * The endpoint a path answers for {@code m}: {@code /traffic} is read with GET and replaced
     * with PUT; every other path has one method.
     */
    Endpoint forMethod(HttpMethod m) {
      return this == MODEL_TRAFFIC && HttpMethod.PUT.equals(m) ? MODEL_TRAFFIC_PUT : this;
    }

    /** The {@code Allow} header of a 405. */
    String allow() {
      return this == MODEL_TRAFFIC ? "GET, PUT" : method.name();
    }

    Access access() {
      return access;
    }
  }
}
