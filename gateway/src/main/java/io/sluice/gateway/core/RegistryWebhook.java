package io.sluice.gateway.core;

import java.util.function.UnaryOperator;

/**
 * Receives a registry's push notification ({@code POST /v2/registry/webhook}): verifies it and
 * triggers a poll. Called on an event loop, so it must never block.
 */
@FunctionalInterface
public interface RegistryWebhook {

  /** The receiver when no webhook secret is configured. */
  RegistryWebhook NONE = (body, header) -> new Verdict(Result.NOT_CONFIGURED,
      "no registry webhook is configured (expected: --mlflow-webhook-secret-file)");

  /** What became of a delivery. */
  enum Result {
    /** Verified and new: a poll was triggered. */
    ACCEPTED,
    /** Verified, but its delivery id was seen before: nothing triggered. */
    DUPLICATE,
    /** No signature, or one that does not verify. */
    UNAUTHENTICATED,
    /** Signed, but its timestamp is out of range or malformed. */
    INVALID,
    /** This server has no webhook secret. */
    NOT_CONFIGURED
  }

  /** A delivery's result and, unless accepted, why. */
  record Verdict(Result result, String message) {}

  /**
   * @param body the raw request body, as signed
   * @param header a request header by name, null when absent
   */
  Verdict receive(byte[] body, UnaryOperator<String> header);
}
