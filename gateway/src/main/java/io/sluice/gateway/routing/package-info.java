/**
 * Safe rollouts in the data plane: per-model traffic policies (a stable version, weighted
 * candidates, shadows, a sticky key, guards), the version selector that applies them, pins,
 * fault injection, automatic rollback and shadow scoring.
 *
 * <p>Start reading at {@link io.sluice.gateway.routing.TrafficTable}: it holds one {@code
 * AtomicReference} of {@code LiveState} per model and decorates each published model snapshot
 * with a {@code TrafficSelector}, which reads that reference once per request. {@code
 * PolicyJson} parses and writes the policy, {@code CandidateGuard} is one candidate's circuit
 * breaker (Resilience4j) and latency window (HdrHistogram), {@code GuardListener} feeds them from
 * the completion pipeline, {@code Faults} injects a drill's errors and delays, {@code
 * ShadowRunner} runs shadow copies off the request path and {@code ShadowComparator} scores them.
 * {@code PolicyStore} keeps each model's policy in a file across restarts ({@code
 * --traffic-state-dir}) and {@code PolicyRestore} puts the saved ones back at start.
 */
package io.sluice.gateway.routing;
