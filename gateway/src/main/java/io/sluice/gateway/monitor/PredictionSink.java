package io.sluice.gateway.monitor;

/**
 * Where the prediction log's writer thread puts records: the rotating files, Kafka. Only that
 * thread calls a sink, and it closes each one when it stops. A sink never throws: what it cannot
 * write it counts in {@code sluice_prediction_log_dropped_total{reason}} under a reason of its
 * own, and it must not hold the thread for long (the other sinks wait behind it).
 */
interface PredictionSink {
  /**
   * Called once on the writer thread before the first record; records wait in the log's queue
   * meanwhile (bounded there), so a sink may spend a bounded moment getting ready.
   */
  default void start() {}

  /** One record: {@code key} is the request id, {@code json} the record without a newline. */
  void write(String key, String json);

  /**
   * One record as the log formats it: {@code length} bytes of UTF-8 from {@code offset} of a
   * step's chunk, ending in a newline. A sink that writes bytes (the file) overrides this to skip
   * the decoding; it must not keep the array.
   */
  default void write(String key, byte[] utf8, int offset, int length) {
    write(key, new String(utf8, offset, length - 1, java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Called when the queue is momentarily empty. */
  void flush();

  /** Writes or sends what it holds, within its own bound, and lets go of its resources. */
  void close();
}
