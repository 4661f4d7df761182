/**
 * The protocol-neutral core of the gateway: what the HTTP and gRPC front ends call.
 *
 * <p>Start reading at {@link io.sluice.gateway.core.ServingApi}, the front ends' view over four
 * concerns: {@link io.sluice.gateway.core.InferenceApi}, {@link
 * io.sluice.gateway.core.ModelQueries}, {@link io.sluice.gateway.core.RepositoryControl} and
 * {@link io.sluice.gateway.core.ErrorCounter}. A front end decodes its wire format into a {@link
 * io.sluice.gateway.core.V2InferRequest} of runtime tensors and a {@link
 * io.sluice.gateway.request.RequestContext}, calls {@code infer}, and encodes the {@link
 * io.sluice.gateway.core.V2InferResponse} it gets back, on its own event loop. {@link
 * io.sluice.gateway.core.InferencePipeline} selects and leases the version, validates the
 * request with the version's compiled validator, queues it, and completes on the request's
 * event loop: shaping (requested-output order, classification), one {@link
 * io.sluice.gateway.core.InferenceEvent} to every {@link io.sluice.gateway.core.InferenceListener},
 * then the lease's release. Failures are {@link io.sluice.runtime.StatusException}s; each front
 * end maps their {@link io.sluice.runtime.Status} to its own status codes in exactly one place.
 */
package io.sluice.gateway.core;
