package io.sluice.gateway.monitor;

import java.util.Arrays;

/**
 * One monitor step's prediction-log records on their way to the writer thread: their UTF-8
 * lines back to back, each ending in a newline, record {@code i} ending at {@code ends[i]} and
 * keyed by {@code keys[i]}. The monitor thread owns a chunk while it fills it, the writer from
 * the hand-off until it gives it back; chunks are reused, so a step allocates nothing unless it
 * is larger than any before it (a byte array, a holder and a queue node per record were a large
 * share of the monitor thread's time).
 */
final class LogChunk {
  private static final int INITIAL_BYTES = 16 * 1024;
  /** A chunk that grew past this is given a small array again when it is cleared. */
  private static final int KEEP_BYTES = 1 << 20;

  byte[] utf8 = new byte[INITIAL_BYTES];
  int size;
  int[] ends = new int[64];
  String[] keys = new String[64];
  int records;

  void write(int b) {
    if (size == utf8.length) {
      utf8 = Arrays.copyOf(utf8, 2 * size);
    }
    utf8[size++] = (byte) b;
  }

  void write(byte[] b, int offset, int length) {
    if (size + length > utf8.length) {
      utf8 = Arrays.copyOf(utf8, Math.max(2 * utf8.length, size + length));
    }
    System.arraycopy(b, offset, utf8, size, length);
    size += length;
  }

  /** Marks a record that ends at {@code end} (bytes may still be on their way in). */
  void endRecord(int end, String key) {
    if (records == ends.length) {
      ends = Arrays.copyOf(ends, 2 * records);
      keys = Arrays.copyOf(keys, 2 * records);
    }
    ends[records] = end;
    keys[records] = key;
    records++;
  }

  /** Empty again, holding no request ids. */
  void clear() {
    Arrays.fill(keys, 0, records, null);
    records = 0;
    size = 0;
    if (utf8.length > KEEP_BYTES) {
      utf8 = new byte[INITIAL_BYTES];
    }
  }
}
