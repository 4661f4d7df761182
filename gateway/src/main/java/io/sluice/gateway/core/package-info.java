/**
 * The protocol-neutral core of the gateway: what the HTTP and gRPC front ends call.
 *
 * <p>Start reading at {@link io.sluice.gateway.core.ServingApi}. A front end decodes its wire
 * format into a {@link io.sluice.gateway.core.V2InferRequest} of runtime tensors, calls {@link
 * io.sluice.gateway.core.ServingApi#infer}, and encodes the {@link
 * io.sluice.gateway.core.V2InferResponse} it gets back. Validation against the model's config,
 * requested-output selection and the classification extension live here, once, for both
 * protocols. Failures are {@link io.sluice.runtime.StatusException}s; each front end maps their
 * {@link io.sluice.runtime.Status} to its own status codes in exactly one place.
 */
package io.sluice.gateway.core;
