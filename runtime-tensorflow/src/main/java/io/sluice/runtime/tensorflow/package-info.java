/**
 * TensorFlow (SavedModel) as a Sluice backend; the only package that sees {@code org.tensorflow}.
 *
 * <p>Start reading at {@link io.sluice.runtime.tensorflow.TensorFlowBackendProvider} (the SPI
 * entry: the names it serves, {@code model.savedmodel}, neutral options and model parameters
 * turned into {@link io.sluice.runtime.tensorflow.TensorFlowOptions}), then {@link
 * io.sluice.runtime.tensorflow.TensorFlowBackend} (one bundle and signature function as a {@link
 * io.sluice.runtime.Backend}). Behind them, package-private: {@code TfSignatures}, {@code
 * TfTypes}, {@code TfInputs} (one bulk copy into TensorFlow's memory), {@code TfOutputs} (one bulk
 * copy out) and {@code NativeScope}, the single owner of native objects, which closes them in one
 * place and counts them for leak checks.
 */
package io.sluice.runtime.tensorflow;
