package io.sluice.loadtest;

/**
 * Sends one prepared inference request asynchronously. Implementations may be called from any
 * thread, including their own completion threads (closed loops chain the next call there).
 */
interface Transport extends AutoCloseable {

  /** Starts one request; {@code completion} runs exactly once, on a transport thread. */
  void send(Completion completion);

  /** Human-readable description for reports, e.g. {@code "grpc 127.0.0.1:8001 x1 channel"}. */
  String describe();

  @Override
  void close();

  /** The outcome of one request. */
  @FunctionalInterface
  interface Completion {
    /**
     * Called when the request finished.
     *
     * @param errorKind {@code null} on success; otherwise a short kind for the report such as
     *     {@code grpc_UNAVAILABLE}, {@code http_503} or {@code io}
     */
    void complete(String errorKind);
  }
}
