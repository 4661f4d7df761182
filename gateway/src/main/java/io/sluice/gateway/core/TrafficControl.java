package io.sluice.gateway.core;

import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.runtime.Status;
import java.io.IOException;

/**
 * The rollout admin API as the front ends see it ({@code /v2/models/{m}/traffic}, {@code
 * promote}, {@code rollback}, {@code versions/{v}/faults}, and the same calls of gRPC's {@code
 * sluice.admin.v1.TrafficAdmin}). Bodies arrive as the bytes the client
 * sent and are parsed in the routing package, whose errors say what was wrong and what was
 * expected. The defaults answer UNIMPLEMENTED: a server started without routing, and test fakes.
 */
public interface TrafficControl {

  /**
   * Checks that {@code model} exists, before anything is written.
   *
   * @throws io.sluice.runtime.StatusException NOT_FOUND for an unknown model
   */
  default void checkTraffic(String model) {
    throw unimplemented();
  }

  /** Writes the model's policy and its live state (weights, guards, shadow agreement, faults). */
  default void writeTraffic(String model, JsonGenerator g) throws IOException {
    checkTraffic(model);
  }

  /**
   * Puts a new policy in force at once; a bad one is INVALID_ARGUMENT and changes nothing.
   *
   * @throws io.sluice.runtime.StatusException INVALID_ARGUMENT, NOT_FOUND
   */
  default void putTraffic(String model, byte[] policyJson) {
    throw unimplemented();
  }

  /** Makes a candidate the stable version ({@code {"version": "4"}}, or the only candidate). */
  default void promote(String model, byte[] body) {
    throw unimplemented();
  }

  /** Sets candidates' weight to 0 ({@code {"version": "4", "reason": "…"}}, or all of them). */
  default void rollback(String model, byte[] body) {
    throw unimplemented();
  }

  /** Rolls a candidate out step by step ({@code {"candidate": "4", …}}). */
  default void rollout(String model, byte[] body) {
    throw unimplemented();
  }

  /** Sets a version's injected faults ({@code {"error_rate": 0.5, "delay_ms": 0}}). */
  default void putFaults(String model, String version, byte[] body) {
    throw unimplemented();
  }

  private static RuntimeException unimplemented() {
    return Status.unimplemented("traffic routing is not configured on this server").asException();
  }
}
