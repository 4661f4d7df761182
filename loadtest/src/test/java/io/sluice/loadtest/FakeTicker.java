package io.sluice.loadtest;

import java.util.PriorityQueue;

/**
 * A clock that moves only when someone parks on it, running scheduled events in time order as it
 * passes them: a single-threaded discrete-event simulation of the generator and a server.
 */
final class FakeTicker implements Ticker {
  private final PriorityQueue<Event> events = new PriorityQueue<>();
  private final long oversleepNanos;
  private long now;
  private long sequence;

  FakeTicker() {
    this(0);
  }

  /** A ticker whose every park wakes {@code oversleepNanos} late, like a busy OS timer. */
  FakeTicker(long oversleepNanos) {
    this.oversleepNanos = oversleepNanos;
  }

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public void parkUntil(long deadline) {
    long deadlineNanos = deadline > now ? deadline + oversleepNanos : deadline;
    while (!events.isEmpty() && events.peek().at <= deadlineNanos) {
      Event e = events.poll();
      now = Math.max(now, e.at);
      e.action.run();
    }
    now = Math.max(now, deadlineNanos);
  }

  void schedule(long at, Runnable action) {
    events.add(new Event(at, sequence++, action));
  }

  private record Event(long at, long sequence, Runnable action) implements Comparable<Event> {
    @Override
    public int compareTo(Event o) {
      int c = Long.compare(at, o.at);
      return c != 0 ? c : Long.compare(sequence, o.sequence);
    }
  }
}
