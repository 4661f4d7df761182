/**
 * Load generators that talk to a running Sluice (or Triton) over the wire, open-loop, with latency
 * measured from the intended send time so coordinated omission is corrected.
 *
 * <p>Start reading at {@link io.sluice.loadtest.Main} (the {@code run} and {@code profile}
 * commands), then {@code OpenLoopGenerator}: an {@code ArrivalSchedule} gives intended send times,
 * a {@code Transport} (gRPC async stub or a Netty HTTP/1.1 pool with the binary tensor extension)
 * sends without waiting, and {@code Measurements} records latency from the intended time into an
 * HdrHistogram {@code Recorder}. {@code Session} wraps a window with client CPU, server CPU and the
 * server's batch statistics; {@code SloSearch} finds the highest rate that meets a p99 SLO.
 */
package io.sluice.loadtest;
