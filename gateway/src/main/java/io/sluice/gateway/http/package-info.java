/**
 * The KServe V2 / Triton HTTP front end: Netty pipeline, routes, and the JSON and binary tensor
 * codecs, wire-compatible with unmodified tritonclient, perf_analyzer and curl.
 *
 * <p>Start reading at {@link io.sluice.gateway.http.HttpFrontEnd}, the only public class besides
 * its {@link io.sluice.gateway.http.HttpConfig}. {@code HttpPipelineConfigurator} wires each
 * connection from small handlers (read timeouts in {@code RequestTimeouts}, framing,
 * bounded decompression in {@code BodyInflater}, 100-continue, the body limit, keep-alive);
 * {@code RequestDispatcher} routes a complete request with {@code Router} and answers it,
 * control-plane calls through {@code ControlEndpoints} and inference through {@code
 * InferRequestDecoder} → {@link io.sluice.gateway.core.ServingApi#infer} → {@code
 * InferResponseEncoder}, on the connection's event loop and without ever blocking it. {@code
 * HttpErrors} is the one place a {@link io.sluice.runtime.Status} becomes an HTTP status, and
 * {@code TritonJson} prints protobuf messages (config, statistics) the way Triton does.
 * TensorFlow Serving's REST API ({@code /v1/models/...}, also KServe V1) shares the port:
 * {@code TfServingRequests} decodes a {@code :predict} body into V2 tensors, the request runs
 * through the same {@code ServingApi#infer}, and {@code TfServingResponses} writes TF Serving's
 * answer shapes.
 */
package io.sluice.gateway.http;
