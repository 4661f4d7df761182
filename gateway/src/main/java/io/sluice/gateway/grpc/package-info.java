/**
 * The gRPC front end: Triton's {@code inference.GRPCInferenceService}, {@code
 * grpc.health.v1.Health} and Sluice's rollout admin {@code sluice.admin.v1.TrafficAdmin} ({@code
 * TrafficAdminService}, JSON bodies as over HTTP) on grpc-java's Netty server, sharing the HTTP
 * server's event loops.
 *
 * <p>Start reading at {@link io.sluice.gateway.grpc.GrpcFrontEnd}, which wires the server; the
 * service itself is {@code InferenceService}. Every handler runs on the transport thread and
 * never blocks: control calls answer from the {@link io.sluice.gateway.core.ServingApi} at once,
 * and {@code ModelInfer} completes its observer from the future that the runtime completes.
 * {@code InferRequestDecoder} turns a {@code ModelInferRequest} into runtime tensors without
 * copying raw contents (typed contents are packed once into little-endian bytes), and {@code
 * InferResponseEncoder} wraps output tensors as {@code raw_output_contents} without a copy. A
 * stream answers its requests in arrival order, one error message per failed request, and stays
 * open; each answer names its route in {@code parameters["sluice_route"]}. Sluice statuses become gRPC statuses in exactly one place, {@code GrpcStatuses}.
 */
package io.sluice.gateway.grpc;
