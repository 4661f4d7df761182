/**
 * Counting what the server does, for the statistics extension and for Prometheus.
 *
 * <p>Start reading at {@link io.sluice.gateway.metrics.VersionStats}: one per loaded model version,
 * fed by the core (per request) and by the scheduler (per execution, as its {@link
 * io.sluice.runtime.SchedulerListener}). It updates lock-free counters that back both Triton's
 * statistics JSON/protobuf and the Micrometer meters named after Triton's {@code nv_inference_*}
 * families. {@link io.sluice.gateway.metrics.MetricsServer} serves the Prometheus text on its own
 * port.
 */
package io.sluice.gateway.metrics;
