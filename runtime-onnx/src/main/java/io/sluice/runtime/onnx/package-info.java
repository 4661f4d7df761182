/**
 * ONNX Runtime as a Sluice backend; the only package that sees {@code ai.onnxruntime}.
 *
 * <p>Start reading at {@link io.sluice.runtime.onnx.OnnxBackendProvider} (the SPI entry: the
 * names it serves, {@code model.onnx}, and neutral options turned into {@link
 * io.sluice.runtime.onnx.OnnxOptions}), then {@link io.sluice.runtime.onnx.OnnxBackend} (one
 * session as a {@link io.sluice.runtime.Backend}). Behind them, package-private: {@code
 * OnnxEnvironment} (the process's one ORT environment), {@code OnnxSessionOptions} (threads,
 * spinning, the CUDA execution provider), {@code OnnxSignatures}, {@code OnnxTypes}, {@code
 * OnnxInputs}, {@code OnnxOutputs} and {@code NativeScope}, the single owner of native objects,
 * which closes them in one place and counts them for leak checks.
 */
package io.sluice.runtime.onnx;
