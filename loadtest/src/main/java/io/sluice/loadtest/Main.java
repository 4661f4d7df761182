package io.sluice.loadtest;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code sluice-loadtest} command line: {@code run} one window, {@code profile} a server, or
 * compare two of its models in {@code pairs} of windows;
 * {@code floor-server} (B2) is a bare server such a profile can be pointed at, {@code b0q} (B0q)
 * the same profile fed in process into the runtime.
 */
@Command(
    name = "sluice-loadtest",
    mixinStandardHelpOptions = true,
    description = "Open-loop load generator for KServe V2 servers (gRPC and HTTP binary).",
    subcommands = {
      Main.Run.class,
      Main.Profile.class,
      PairedCommand.class,
      FloorCommand.class,
      QueueingBaselineCommand.class
    })
public final class Main implements Runnable {

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  static EventLoopGroup eventLoops(int threads) {
    return new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
  }

  /** One window, open or closed loop. */
  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = "Run one warm-up plus one measured window and write the result as JSON.")
  static final class Run implements Callable<Integer> {
    enum Mode {
      OPEN,
      CLOSED
    }

    @Mixin TargetOptions target;

    @Option(names = "--mode", defaultValue = "open", description = "open or closed (default: open)")
    Mode mode;

    @Option(names = "--rate", defaultValue = "100", description = "offered requests/s (open)")
    double rate;

    @Option(
        names = "--arrival",
        defaultValue = "poisson",
        description = "constant or poisson (default: poisson)")
    Arrival arrival;

    @Option(names = "--duration", defaultValue = "10", description = "measured seconds")
    double duration;

    @Option(names = "--warmup", defaultValue = "2", description = "warm-up seconds, not measured")
    double warmup;

    @Option(
        names = "--concurrency-limit",
        defaultValue = "1000",
        description = "open loop: most requests in flight; beyond it a request is an error")
    int concurrencyLimit;

    @Option(
        names = "--concurrency",
        defaultValue = "1",
        description = "closed loop: requests kept in flight (1 = c=1)")
    int concurrency;

    @Option(names = "--json-out", description = "result file (default: standard output)")
    Path jsonOut;

    @Option(
        names = "--require-success",
        description = "exit with status 3 when any request of the window failed or none succeeded")
    boolean requireSuccess;

    @Override
    public Integer call() throws Exception {
      try (EventLoops loops = EventLoops.of(target.ioThreads);
          Session session = target.session(loops.group())) {
        Window window = Window.ofSeconds(warmup, duration);
        WindowResult r =
            mode == Mode.OPEN
                ? session.open("run", arrival, rate, target.seed, window, concurrencyLimit)
                : session.closed("run", concurrency, window);
        Json.write(r, jsonOut);
        System.err.println(Summary.line(session.transport().describe(), r));
        if (requireSuccess && r.failure() != null) {
          System.err.println("FAILED: " + r.failure());
          return 3;
        }
        return 0;
      }
    }
  }

  /** c=1, the SLO search, and windows at 50% and 80% of the SLO rate, in one JVM. */
  @Command(
      name = "profile",
      mixinStandardHelpOptions = true,
      description = "c=1 closed loop, search for the highest rate meeting the p99 SLO, windows at"
          + " 50%% and 80%% of it, and a closed-loop saturation window; one JSON result.")
  static final class Profile implements Callable<Integer> {
    @Mixin TargetOptions target;

    @Mixin ProfileOptions profile;

    @Override
    public Integer call() throws Exception {
      try (EventLoops loops = EventLoops.of(target.ioThreads);
          Session session = target.session(loops.group())) {
        profile.measure(session, target.protocol.label(), target.model, target.seed);
        return 0;
      }
    }
  }

  /**
   * What {@code profile} measures and how, apart from the target: shared with {@code b0q}, so the
   * in-process baseline is searched by exactly the same rule.
   */
  static final class ProfileOptions {
    @Option(names = "--label", defaultValue = "", description = "name of this configuration")
    String label;

    @Option(names = "--slo-ms", required = true, description = "p99 bound in milliseconds")
    double sloMs;

    @Option(names = "--max-error-ratio", defaultValue = "0.001", description = "default: 0.001")
    double maxErrorRatio;

    @Option(names = "--arrival", defaultValue = "poisson", description = "default: poisson")
    Arrival arrival;

    @Option(names = "--warmup", defaultValue = "1", description = "warm-up seconds per window")
    double warmup;

    @Option(names = "--c1-duration", defaultValue = "5", description = "c=1 measured seconds")
    double c1Duration;

    @Option(
        names = "--initial-warmup",
        defaultValue = "8",
        description = "seconds of closed-loop load before anything is measured, so both JVMs are"
            + " JIT-compiled (default: 8)")
    double initialWarmup;

    @Option(
        names = "--initial-warmup-concurrency",
        defaultValue = "8",
        description = "closed-loop lanes of the initial warm-up (default: 8)")
    int initialWarmupConcurrency;

    @Option(
        names = "--retries",
        defaultValue = "1",
        description = "a search window that misses the SLO is repeated this many times and passes"
            + " if a repeat passes, so a burst of foreign load does not end the search early")
    int retries;

    @Option(names = "--window", defaultValue = "5", description = "search window seconds")
    double window;

    @Option(
        names = "--report-window",
        defaultValue = "8",
        description = "seconds of the 50%% and 80%% windows")
    double reportWindow;

    @Option(
        names = "--start-rate",
        defaultValue = "0",
        description = "first rate tried (default: half the warm-up's throughput, or of c=1's)")
    double startRate;

    @Option(names = "--max-doublings", defaultValue = "8", description = "default: 8")
    int maxDoublings;

    @Option(
        names = "--max-halvings",
        defaultValue = "3",
        description = "when the first rate misses, halve at most this often (default: 3); a miss"
            + " at an eighth of it is a latency floor, not a capacity")
    int maxHalvings;

    @Option(names = "--bisections", defaultValue = "4", description = "default: 4")
    int bisections;

    @Option(
        names = "--concurrency-limit",
        defaultValue = "2048",
        description = "cap on requests in flight; each window allows min(cap, 4 x rate x SLO)")
    int concurrencyLimit;

    @Option(
        names = "--saturation-concurrency",
        defaultValue = "0",
        description = "closed-loop lanes of the saturation window; 0 skips it")
    int saturationConcurrency;

    @Option(names = "--json-out", description = "result file (default: standard output)")
    Path jsonOut;

    /** Runs the whole profile on {@code session} and writes its JSON. */
    ProfileResult measure(Session session, String protocol, String model, long seed)
        throws Exception {
      long began = System.nanoTime();
      String transport = session.transport().describe();
      WindowResult warm = null;
      if (initialWarmup > 0) {
        warm =
            session.closed(
                "warmup", initialWarmupConcurrency, Window.ofSeconds(initialWarmup - 1, 1));
        System.err.println(Summary.line(transport, warm));
      }
      // With a warm-up, c=1 runs after the search: a freshly started server on one core is
      // still JIT-compiling for a while, and c=1 should measure the request path, not C2.
      WindowResult c1 = warm == null ? c1(session, transport) : null;
      double basis = warm != null ? warm.throughputRps() : c1.throughputRps();
      double first = startRate > 0 ? startRate : Math.max(10, 0.5 * basis);
      SloSearch search =
          new SloSearch(
              sloMs * 1000, maxErrorRatio, 0.85, maxDoublings, maxHalvings, bisections, retries);
      SloSearch.Outcome outcome =
          search.search(
              first,
              (rate, attempt) -> {
                WindowResult r =
                    session.open(
                        attempt == 0 ? "search" : "search-retry",
                        arrival,
                        rate,
                        seed + attempt,
                        Window.ofSeconds(warmup, window),
                        outstandingFor(rate));
                System.err.println(Summary.line(transport, r));
                return r;
              });
      double x = outcome.sloRate();
      WindowResult at50 = x > 0 ? fraction(session, transport, "at50", 0.5 * x, seed) : null;
      WindowResult at80 = x > 0 ? fraction(session, transport, "at80", 0.8 * x, seed) : null;
      if (c1 == null) {
        c1 = c1(session, transport);
      }
      WindowResult saturation = null;
      if (saturationConcurrency > 0) {
        saturation =
            session.closed(
                "saturation", saturationConcurrency, Window.ofSeconds(warmup, window));
        System.err.println(Summary.line(transport, saturation));
      }
      ProfileResult result =
          new ProfileResult(
              label,
              protocol,
              model,
              transport,
              sloMs * 1000,
              c1,
              outcome.steps(),
              x,
              outcome.best(),
              at50,
              at80,
              saturation,
              Math.round((System.nanoTime() - began) / 1e8) / 10.0);
      Json.write(result, jsonOut);
      System.err.printf("%s: x_slo %.1f req/s (p99 <= %.3f ms)%n", label, x, sloMs);
      return result;
    }

    private WindowResult c1(Session session, String transport) throws InterruptedException {
      WindowResult c1 = session.closed("c1", 1, Window.ofSeconds(warmup, c1Duration));
      System.err.println(Summary.line(transport, c1));
      return c1;
    }

    private WindowResult fraction(
        Session session, String transport, String label, double rate, long seed)
        throws InterruptedException {
      WindowResult r =
          session.open(
              label,
              arrival,
              rate,
              seed + 1,
              Window.ofSeconds(warmup, reportWindow),
              outstandingFor(rate));
      System.err.println(Summary.line(transport, r));
      return r;
    }

    /** Enough in flight for 4x the SLO at this rate (Little's law), so only overload hits it. */
    private int outstandingFor(double rate) {
      long byLittle = (long) Math.ceil(4 * rate * sloMs / 1000);
      return (int) Math.max(32, Math.min(concurrencyLimit, byLittle));
    }
  }

  /** The JSON of {@code profile}. */
  record ProfileResult(
      String label,
      String protocol,
      String model,
      String transport,
      double sloUs,
      WindowResult c1,
      List<SloSearch.Step> search,
      double xSlo,
      WindowResult atSlo,
      WindowResult at50,
      WindowResult at80,
      WindowResult saturation,
      double wallS) {}
}
