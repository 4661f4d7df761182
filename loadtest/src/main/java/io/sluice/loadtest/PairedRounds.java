package io.sluice.loadtest;

import java.util.ArrayList;
import java.util.List;

/**
 * Two targets measured as pairs of closed-loop windows in one generator: after a warm-up of each,
 * every round runs a window on one and then on the other, the order alternating round by round
 * (odd rounds {@code b} first), so that a slow spell of a shared machine, or a trend such as
 * the JIT still settling, hits both halves of the pairs alike. Their ratio is the comparison;
 * the generator's own warm-up, which separate processes would each pay, is paid once.
 */
final class PairedRounds {
  /** Runs one window on one side ({@code "a"} or {@code "b"}) under a label. */
  @FunctionalInterface
  interface Side {
    WindowResult window(String side, String label, Window window) throws InterruptedException;
  }

  /** One round: the same window on each side, and which ran first. */
  record Pair(int round, String first, WindowResult a, WindowResult b) {}

  private final Side side;
  private final Window warmup;
  private final Window measured;

  /**
   * @param warmup each side's warm-up window, run a then b before the first round (not reported)
   * @param measured each side's window in every round
   */
  PairedRounds(Side side, Window warmup, Window measured) {
    this.side = side;
    this.warmup = warmup;
    this.measured = measured;
  }

  List<Pair> run(int rounds) throws InterruptedException {
    side.window("a", "warmup", warmup);
    side.window("b", "warmup", warmup);
    List<Pair> pairs = new ArrayList<>(rounds);
    for (int round = 1; round <= rounds; round++) {
      String label = "round-" + round;
      boolean bFirst = round % 2 == 1;
      WindowResult first = side.window(bFirst ? "b" : "a", label, measured);
      WindowResult second = side.window(bFirst ? "a" : "b", label, measured);
      pairs.add(bFirst
          ? new Pair(round, "b", second, first)
          : new Pair(round, "a", first, second));
    }
    return pairs;
  }
}
