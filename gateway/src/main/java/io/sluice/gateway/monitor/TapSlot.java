package io.sluice.gateway.monitor;

import io.sluice.gateway.model.LoadedVersion;
import io.sluice.gateway.model.Selection;

/**
 * One preallocated hand-off slot: the values the tap copied out of one request, so the request's
 * buffers can be released. A producer (an event loop) owns a slot between taking it from the free
 * queue and offering it to the filled one; the monitor thread owns it from then until it returns
 * it. Numeric values are stored as their double bits, BYTES values as a 64-bit FNV-1a hash of
 * their bytes (0 for an empty string, which counts as missing).
 */
final class TapSlot {
  final long[] values;
  /** Per tensor of the version's layout: rows copied, or -1 when the tensor was absent. */
  final int[] tensorRows;
  LoadedVersion version;
  long epochMillis;
  int rows;
  /** The request's id (the client's or a generated one); a reference, strings are immutable. */
  String requestId;
  /** The request's raw {@code traceparent} header, or null; parsed by the monitor thread. */
  String traceParent;
  long latencyNanos;
  boolean shadow;
  /** How the primary's version was chosen; a shadow copy carries the primary's route. */
  Selection.Route route = Selection.Route.STABLE;

  TapSlot(int capacity, int maxTensors) {
    this.values = new long[capacity];
    this.tensorRows = new int[maxTensors];
  }
}
