package io.sluice.loadtest;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pairs}: {@code --model} against {@code --against} in alternating closed-loop windows. */
@Command(
    name = "pairs",
    mixinStandardHelpOptions = true,
    description = "Compare two models of one server in paired closed-loop windows (PairedRounds):"
        + " a warm-up of each, then ROUNDS rounds of one window on each, the order alternating;"
        + " one JSON result with every pair. Exits 3 at the first window with an error or no"
        + " success.")
final class PairedCommand implements Callable<Integer> {
  @Mixin TargetOptions target;

  @Option(names = "--against", required = true, description = "the other model (side b)")
  String against;

  @Option(names = "--rounds", defaultValue = "8", description = "pairs of windows (default: 8)")
  int rounds;

  @Option(names = "--concurrency", defaultValue = "64", description = "lanes (default: 64)")
  int concurrency;

  @Option(
      names = "--initial-warmup",
      defaultValue = "30",
      description = "closed-loop seconds on each side before the first round (default: 30)")
  double initialWarmup;

  @Option(names = "--warmup", defaultValue = "1", description = "unmeasured seconds per window")
  double warmup;

  @Option(names = "--duration", defaultValue = "5", description = "measured seconds per window")
  double duration;

  @Option(names = "--json-out", description = "result file (default: standard output)")
  Path jsonOut;

  /** What {@code pairs} writes. */
  record Result(String a, String b, String transport, List<PairedRounds.Pair> pairs) {}

  @Override
  public Integer call() throws Exception {
    try (EventLoops loops = EventLoops.of(target.ioThreads);
        Session a = target.session(loops.group());
        Session b = target.session(loops.group(), against)) {
      PairedRounds.Side side =
          (name, label, window) -> {
            Session s = name.equals("a") ? a : b;
            WindowResult r = s.closed(label, concurrency, window);
            System.err.println(name + " " + Summary.line(s.transport().describe(), r));
            if (r.failure() != null) {
              throw new FailedWindow("side " + name + " " + label + ": " + r.failure());
            }
            return r;
          };
      List<PairedRounds.Pair> pairs =
          new PairedRounds(
                  side,
                  Window.ofSeconds(Math.max(0, initialWarmup - 1), 1),
                  Window.ofSeconds(warmup, duration))
              .run(rounds);
      Json.write(new Result(target.model, against, a.transport().describe(), pairs), jsonOut);
      return 0;
    } catch (FailedWindow e) {
      System.err.println("FAILED: " + e.getMessage());
      return 3;
    }
  }

  /** A window with an error or no success: the comparison stops there. */
  private static final class FailedWindow extends RuntimeException {
    FailedWindow(String message) {
      super(message, null, false, false);
    }
  }
}
