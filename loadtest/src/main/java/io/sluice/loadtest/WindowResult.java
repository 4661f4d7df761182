package io.sluice.loadtest;

import java.util.Map;

/**
 * Everything one measured window produced, as written to JSON (snake_case field names).
 *
 * @param label what the window was for, e.g. {@code "c1"} or {@code "search"}
 * @param mode {@code open} or {@code closed}
 * @param offeredRate intended requests per second (open loop; 0 for closed)
 * @param concurrency lanes of a closed loop, or the outstanding limit of an open loop
 * @param scheduled requests due in the window (sent or not)
 * @param errorRatio errors / scheduled
 * @param throughputRps successful completions inside the window / window length
 * @param latencyUs from the intended send time (open) or the actual send (closed)
 * @param sendLagUs how late the scheduler sent, a check on the client itself
 * @param errorLatencyUs how long the server took to answer the requests that failed (a load
 *     shedder's reject cost); errors without an answer (not sent, timed out) are not in it
 * @param clientCpuUtil client CPU seconds / wall seconds (1.0 = one core busy)
 * @param serverCpuUsPerRequest server process CPU in the window / successful completions; null
 *     when no server pid was given
 * @param batchExecutions executions per batch size formed by the server during the window
 * @param meanBatchSize requests per execution over those executions; null when unknown
 * @param inferUsByBatchSize the server's mean time of one engine run ({@code compute_infer}) per
 *     batch size formed in the window
 * @param serverUsPerRequest the server's mean time per request in each stage of Triton's {@code
 *     inference_stats} (success = the whole request; queue; compute_input, _infer, _output)
 */
record WindowResult(
    String label,
    String mode,
    String arrival,
    double offeredRate,
    int concurrency,
    double durationS,
    long scheduled,
    long succeeded,
    long errorCount,
    double errorRatio,
    Map<String, Long> errors,
    double throughputRps,
    Latency latencyUs,
    Latency sendLagUs,
    Latency errorLatencyUs,
    double clientCpuS,
    double clientCpuUtil,
    Double serverCpuUsPerRequest,
    Map<Integer, Long> batchExecutions,
    Double meanBatchSize,
    Map<Integer, Double> inferUsByBatchSize,
    Map<String, Double> serverUsPerRequest) {

  /** Why this window does not count as a success (an error, or nothing succeeded); else null. */
  String failure() {
    if (errorCount == 0 && succeeded > 0) {
      return null;
    }
    return errorCount + " error(s) " + errors + ", " + succeeded
        + " succeeded (expected: no errors and at least one success)";
  }

  static Double meanBatchSize(Map<Integer, Long> executions) {
    long runs = 0;
    long requests = 0;
    for (Map.Entry<Integer, Long> e : executions.entrySet()) {
      runs += e.getValue();
      requests += e.getKey() * e.getValue();
    }
    return runs == 0 ? null : Math.round(1000.0 * requests / runs) / 1000.0;
  }
}
