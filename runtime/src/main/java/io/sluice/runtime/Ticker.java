package io.sluice.runtime;

/** A monotonic nanosecond clock, passed in so tests can move time by hand. */
@FunctionalInterface
public interface Ticker {
  long nanoTime();

  Ticker SYSTEM = System::nanoTime;
}
