/**
 * The in-process drift monitor: reference profiles, a lock-free tap on every inference, per
 * version windows, drift and data-quality statistics, the drift endpoint's document, Prometheus
 * series, and alerts with a webhook.
 *
 * <p>Start reading at {@link io.sluice.gateway.monitor.DriftMonitor}: the request path reaches
 * it only through {@code DriftTap} (an {@link io.sluice.gateway.core.InferenceListener} that
 * copies values into preallocated slots and hands them over through JCTools queues); everything
 * else runs on the monitor thread. {@code DriftStatistics} holds the formulas, {@code
 * ColumnMonitor} one column's reference and scoring, {@code VersionMonitor} a version's windows,
 * {@link io.sluice.gateway.monitor.ReferenceProfile} the profile format, built by {@link
 * io.sluice.gateway.monitor.CsvProfiles} for {@code sluice profile}.
 */
package io.sluice.gateway.monitor;
