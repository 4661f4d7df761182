package io.sluice.gateway.request;

import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ids for requests that arrive without one, so the answer, the prediction log and later ground
 * truth ({@code POST /v2/models/{m}/feedback}) can name the same request. An id is a per-process
 * prefix — 48 random bits in hex, from the randomness passed in, so replicas behind one load
 * balancer do not collide — a dash and a counter: {@code "3f9a1c2b7d4e-42"}. Making one costs an
 * atomic increment and one short string, far cheaper than a UUID (which asks {@code
 * SecureRandom} per id).
 */
public final class RequestIds {
  private final String prefix;
  private final AtomicLong next = new AtomicLong();

  /** @param prefix the part before the dash, non-empty */
  public RequestIds(String prefix) {
    if (prefix == null || prefix.isEmpty()) {
      throw new IllegalArgumentException("prefix: '" + prefix + "' (expected: non-empty)");
    }
    this.prefix = prefix + "-";
  }

  /** Ids whose prefix is 48 bits drawn from {@code random}. */
  public static RequestIds random(Random random) {
    long bits = random.nextLong() & 0xFFFF_FFFF_FFFFL;
    return new RequestIds(String.format("%012x", bits));
  }

  /** A new id; unique within this instance. */
  public String next() {
    return prefix + next.incrementAndGet();
  }
}
