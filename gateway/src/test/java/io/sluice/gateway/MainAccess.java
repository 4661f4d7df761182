package io.sluice.gateway;

/** Runs {@code sluice <args>} in-process (the command line is package-private). */
public final class MainAccess {
  private MainAccess() {}

  public static int run(String... args) {
    return Main.commandLine().execute(args);
  }
}
