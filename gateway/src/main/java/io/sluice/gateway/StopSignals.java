package io.sluice.gateway;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into a call, instead of the JVM's default of running the shutdown
 * hooks and exiting 143: the caller drains and returns, and the process exits 0, as an
 * orchestrator expects of a graceful stop. {@code sun.misc.Signal} lives in the {@code
 * jdk.unsupported} module, which every JDK ships for exactly this.
 */
final class StopSignals {
  private static final Logger log = LoggerFactory.getLogger(StopSignals.class);

  private StopSignals() {}

  /** Runs {@code onStop} (once per signal) on the JVM's signal thread; it must not block. */
  static void install(Runnable onStop) {
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(new Signal(name), signal -> {
          log.info("SIG{} received: stopping", name);
          onStop.run();
        });
      } catch (IllegalArgumentException e) {
        // The signal is reserved here (e.g. -Xrs): the shutdown hook still drains.
        log.debug("cannot handle SIG{}: {}", name, e.getMessage());
      }
    }
  }
}
