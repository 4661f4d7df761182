/**
 * How one model version executes, with no knowledge of HTTP, gRPC, protobuf or registries.
 *
 * <p>Start reading at {@link io.sluice.runtime.Tensor} (the unit of data: name, {@link
 * io.sluice.runtime.DataType}, shape and little-endian bytes), then {@link
 * io.sluice.runtime.Backend} (one loaded model that runs a batch) and {@link
 * io.sluice.runtime.Scheduler} (the queue in front of a backend's instances). Errors cross every
 * boundary as a {@link io.sluice.runtime.StatusException} carrying a {@link
 * io.sluice.runtime.Status}; the gateway maps that to HTTP and gRPC in one place each. The two
 * public entry points are {@link io.sluice.runtime.OnnxBackend#open} (an ONNX Runtime session
 * from a model file) and {@link io.sluice.runtime.Schedulers#create} (Triton's dynamic batcher,
 * or one request per execution, over a list of instances). Everything behind them is
 * package-private: the batcher is {@code DynamicBatchScheduler} (threads and the lock), {@code
 * BatchFormer} (the batching rule as a pure function), {@code RequestQueue} (priority levels and
 * queue policies), {@code BatchExecutor} with {@code BatchAssembler} and {@code OutputSplitter}
 * (one copy in, slices out, buffers from a {@code BufferPool}) and {@code CompletionSequencer}
 * (preserve_ordering); the ONNX side is {@code OnnxSessionOptions}, {@code OnnxSignatures},
 * {@code OnnxTypes}, {@code OnnxInputs}, {@code OnnxOutputs} and {@code NativeScope}, which
 * closes every native object in one place and counts them for leak checks.
 */
package io.sluice.runtime;
