/**
 * How one model version executes, with no knowledge of HTTP, gRPC, protobuf or registries.
 *
 * <p>Start reading at {@link io.sluice.runtime.Tensor} (the unit of data: name, {@link
 * io.sluice.runtime.DataType}, shape and little-endian bytes), then {@link
 * io.sluice.runtime.Backend} (one loaded model that runs a batch) and {@link
 * io.sluice.runtime.Scheduler} (the queue in front of a backend's instances). Errors cross every
 * boundary as a {@link io.sluice.runtime.StatusException} carrying a {@link
 * io.sluice.runtime.Status}; the gateway maps that to HTTP and gRPC in one place each. Engines plug
 * in through {@link io.sluice.runtime.BackendProvider} (the names a provider serves and {@code
 * open(modelFile, BackendOptions)}, with a {@link io.sluice.runtime.Device}); each engine lives in
 * its own module ({@code runtime-onnx}), so this one holds no native library. The other public
 * entry point is {@link io.sluice.runtime.Schedulers#create} (Triton's dynamic batcher, or one
 * request per execution, over a list of instances). Everything behind them is
 * package-private: the batcher is {@code DynamicBatchScheduler} (threads and the lock), {@code
 * BatchFormer} (the batching rule as a pure function), {@code RequestQueue} (priority levels and
 * queue policies), {@code BatchExecutor} with {@code BatchAssembler} and {@code OutputSplitter}
 * (one copy in, slices out, buffers from a {@code BufferPool}) and {@code CompletionSequencer}
 * (preserve_ordering). {@link io.sluice.runtime.EchoBackend} is the engine-free stand-in
 * the benchmarks use as a transport ceiling.
 */
package io.sluice.runtime;
