package io.sluice.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The user-facing HTTP load test: KServe V2 JSON inference on {@code tiny_mlp} under an
 * <em>open</em> injection profile (users arrive at a rate, whatever the server's latency), ramping
 * up then holding a constant arrival rate. Fails when more than 0.1% of requests fail or the p99
 * exceeds the SLO.
 *
 * <p>Settings are system properties: {@code gatling.baseUrl} (default {@code
 * http://127.0.0.1:8000}), {@code gatling.model} ({@code tiny_mlp}), {@code gatling.features}
 * (32), {@code gatling.rate} (users/s, 200), {@code gatling.rampSeconds} (5), {@code
 * gatling.durationSeconds} (30), {@code gatling.p99Ms} (10).
 */
public class TinyMlpSimulation extends Simulation {
  private final String baseUrl = System.getProperty("gatling.baseUrl", "http://127.0.0.1:8000");
  private final String model = System.getProperty("gatling.model", "tiny_mlp");
  private final int features = Integer.getInteger("gatling.features", 32);
  private final double rate = Double.parseDouble(System.getProperty("gatling.rate", "200"));
  private final int rampSeconds = Integer.getInteger("gatling.rampSeconds", 5);
  private final int durationSeconds = Integer.getInteger("gatling.durationSeconds", 30);
  private final int p99Ms = Integer.getInteger("gatling.p99Ms", 10);

  private final HttpProtocolBuilder protocol =
      http.baseUrl(baseUrl)
          .contentTypeHeader("application/json")
          .acceptHeader("application/json")
          // One keep-alive pool for all virtual users, as a service calling the model would have.
          .shareConnections();

  private final ScenarioBuilder infer =
      scenario("V2 JSON infer " + model)
          .exec(
              http("infer " + model)
                  .post("/v2/models/" + model + "/infer")
                  .body(StringBody(body(model, features)))
                  .check(status().is(200))
                  .check(jsonPath("$.outputs[0].data[0]").exists()));

  {
    setUp(
            infer.injectOpen(
                rampUsersPerSec(1).to(rate).during(rampSeconds),
                constantUsersPerSec(rate).during(durationSeconds)))
        .protocols(protocol)
        .assertions(
            global().failedRequests().percent().lte(0.1),
            global().responseTime().percentile(99.0).lte(p99Ms));
  }

  /** One request: a [1, features] FP32 tensor of fixed pseudo-random values. */
  static String body(String model, int features) {
    SplittableRandom random = new SplittableRandom(42);
    StringBuilder data = new StringBuilder();
    for (int i = 0; i < features; i++) {
      data.append(i == 0 ? "" : ",")
          .append(String.format(Locale.ROOT, "%.4f", random.nextDouble() * 2 - 1));
    }
    return "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,"
        + features
        + "],\"datatype\":\"FP32\",\"data\":["
        + data
        + "]}]}";
  }
}
