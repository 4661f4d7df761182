package io.sluice.gateway.core;

import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.runtime.Status;
import java.io.IOException;

/**
 * The drift monitor as the front ends see it ({@code GET /v2/models/{m}[/versions/{v}]/drift}).
 * The defaults answer UNIMPLEMENTED: a server started without a monitor, and test fakes.
 */
public interface MonitorQueries {

  /**
   * Fails before anything is written when there is nothing to show.
   *
   * @param version "" for the version a request without one would be served by
   * @throws io.sluice.runtime.StatusException NOT_FOUND for a model or version not monitored
   */
  default void checkDrift(String model, String version) {
    throw Status.unimplemented("the drift monitor is off (--drift-enabled false)").asException();
  }

  /** Writes the drift document of {@code model}'s {@code version} (see the README). */
  default void writeDrift(String model, String version, JsonGenerator g) throws IOException {
    checkDrift(model, version);
  }

  /** One ground-truth label: the V2 request id and the true label or value. */
  record Label(String id, double value) {}

  /**
   * Joins delayed ground truth to logged predictions of {@code model}
   * ({@code POST /v2/models/{m}/feedback}).
   */
  default FeedbackResult feedback(String model, java.util.List<Label> labels) {
    throw Status.unimplemented("the drift monitor is off (--drift-enabled false)").asException();
  }
}
