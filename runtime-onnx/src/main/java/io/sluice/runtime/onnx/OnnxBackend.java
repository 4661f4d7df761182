package io.sluice.runtime.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.sluice.runtime.Backend;
import io.sluice.runtime.BufferPool;
import io.sluice.runtime.Device;
import io.sluice.runtime.ModelSignature;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import io.sluice.runtime.Tensor;
import io.sluice.runtime.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ONNX Runtime session as a {@link Backend}. The session is created from the model's path,
 * never from bytes, so weights stored as external data next to the model resolve, and it lives
 * in the process's single {@link OnnxEnvironment}. A call checks its inputs against the
 * signature first, so a wrong name, datatype or shape is an INVALID_ARGUMENT that names what was
 * expected instead of an engine error; then {@link OnnxInputs} wraps each buffer (no copy for a
 * direct one; a heap one is copied into a pooled staging buffer, given back after the run), the
 * session runs, and {@link OnnxOutputs} copies each output out once, all inside
 * one {@link NativeScope} so every ORT tensor and result is closed on every path. ORT sessions
 * are safe for concurrent runs; a read-write lock only keeps {@link #close()} from freeing the
 * session under a run in flight.
 */
public final class OnnxBackend implements Backend {
  private static final Logger logger = LoggerFactory.getLogger(OnnxBackend.class);
  private final Path modelFile;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final ModelSignature signature;
  private final Device device;
  private final Map<String, TensorSpec> inputSpecs = new HashMap<>();
  private final Set<String> allOutputs = new LinkedHashSet<>();
  /** Direct copies of heap inputs, leased and released within one {@link #run}. */
  private final BufferPool staging = new BufferPool(2);
  private final ReadWriteLock closeLock = new ReentrantReadWriteLock();
  // @GuardedBy("closeLock")
  private boolean closed;

  private OnnxBackend(Path modelFile, OrtEnvironment env, OrtSession session,
      ModelSignature signature, Device device) {
    this.modelFile = modelFile;
    this.device = device;
    this.env = env;
    this.session = session;
    this.signature = signature;
    for (TensorSpec s : signature.inputs()) {
      inputSpecs.put(s.name(), s);
    }
    for (TensorSpec s : signature.outputs()) {
      allOutputs.add(s.name());
    }
  }

  /**
   * Loads {@code modelFile} into a new session.
   *
   * @throws StatusException INVALID_ARGUMENT when the file is not a well-formed ModelProto
   *     ({@link OnnxModelCheck}); INTERNAL with ONNX Runtime's message when the file is missing or
   *     not a loadable model; UNAVAILABLE when CUDA was required (KIND_GPU) and cannot be
   *     used; AUTO falls back to the CPU instead ({@link ExecutionProviders})
   */
  public static OnnxBackend open(Path modelFile, OnnxOptions options) {
    return open(modelFile, options, ExecutionProviders.ofRuntime());
  }

  static OnnxBackend open(Path modelFile, OnnxOptions options, ExecutionProviders providers) {
    Objects.requireNonNull(modelFile, "modelFile");
    Objects.requireNonNull(options, "options");
    if (!Files.isRegularFile(modelFile)) {
      throw Status.internal("cannot load ONNX model " + modelFile + ": no such file")
          .asException();
    }
    // ORT's parser can crash the process on a corrupt file; a malformed one stops here.
    OnnxModelCheck.check(modelFile);
    OrtEnvironment env = OnnxEnvironment.get();
    OrtSession session;
    Device device;
    try {
      Opened placed;
      try {
        placed = createSession(env, modelFile, options, providers);
      } catch (OrtException e) {
        if (!options.device().isAuto()) {
          throw e;
        }
        // The CUDA provider was added but the session would not start on it (no device, a
        // driver too old): AUTO falls back to the CPU rather than failing the load.
        logger.info("{}: on the CPU; ONNX Runtime could not start the session on CUDA: {}",
            modelFile, e.getMessage());
        placed = createSession(env, modelFile, options.on(Device.CPU, options.cuda()), providers);
      }
      session = placed.session();
      device = placed.device();
    } catch (OrtException e) {
      if (options.device().isCuda()) {
        throw Status.unavailable("cannot start ONNX model " + modelFile + " on CUDA device "
                + options.device().id() + ": " + e.getMessage())
            .withCause(e)
            .asException();
      }
      throw Status.internal("cannot load ONNX model " + modelFile + ": " + e.getMessage())
          .withCause(e)
          .asException();
    }
    NativeScope.opened();
    try {
      return new OnnxBackend(modelFile, env, session, OnnxSignatures.read(session), device);
    } catch (OrtException | RuntimeException e) {
      closeSession(session);
      if (e instanceof StatusException se) {
        throw se;
      }
      throw Status.internal("cannot read the signature of " + modelFile + ": " + e.getMessage())
          .withCause(e)
          .asException();
    }
  }

  private record Opened(OrtSession session, Device device) {}

  private static Opened createSession(
      OrtEnvironment env, Path modelFile, OnnxOptions options, ExecutionProviders providers)
      throws OrtException {
    OnnxSessionOptions.Placed placed =
        OnnxSessionOptions.create(options, providers, modelFile.toString());
    try (OrtSession.SessionOptions so = placed.options()) {
      return new Opened(env.createSession(modelFile.toString(), so), placed.device());
    }
  }

  /** Where this session runs: the CPU or a CUDA device, AUTO resolved. */
  @Override
  public Device device() {
    return device;
  }

  /** Native ORT objects (sessions, tensors, results) open in this process, for leak checks. */
  static int openNativeObjects() {
    return NativeScope.openCount();
  }

  /** Staging buffers leased and not yet given back (for tests: zero between runs). */
  int stagingLeased() {
    return staging.leased();
  }

  /** Staging buffers kept for the next run (for tests). */
  int stagingPooled() {
    return staging.pooled();
  }

  @Override
  public ModelSignature signature() {
    return signature;
  }

  @Override
  public List<Tensor> run(List<Tensor> inputs, Set<String> outputs) {
    Set<String> wanted = outputs.isEmpty() ? allOutputs : checkOutputs(outputs);
    checkInputs(inputs);
    List<ByteBuffer> leases = new ArrayList<>(inputs.size());
    closeLock.readLock().lock();
    try {
      if (closed) {
        throw Status.unavailable("model instance " + modelFile + " is closed").asException();
      }
      try (NativeScope scope = new NativeScope()) {
        Map<String, OnnxTensor> feed;
        if (inputs.size() == 1) {
          Tensor only = inputs.get(0);
          feed = Collections.singletonMap(
              only.name(), scope.add(OnnxInputs.toOnnx(env, only, staging, leases)));
        } else {
          feed = new HashMap<>(inputs.size() * 2);
          for (Tensor t : inputs) {
            feed.put(t.name(), scope.add(OnnxInputs.toOnnx(env, t, staging, leases)));
          }
        }
        OrtSession.Result result = scope.add(session.run(feed, wanted));
        List<Tensor> out = new ArrayList<>(wanted.size());
        for (TensorSpec spec : signature.outputs()) {
          if (wanted.contains(spec.name())) {
            Optional<OnnxValue> v = result.get(spec.name());
            if (v.isEmpty()) {
              throw Status.internal("ONNX Runtime returned no '" + spec.name() + "'")
                  .asException();
            }
            out.add(OnnxOutputs.toTensor(spec, v.get()));
          }
        }
        return out;
      }
    } catch (OrtException e) {
      Status.Code code =
          e.getCode() == OrtException.OrtErrorCode.ORT_INVALID_ARGUMENT
              ? Status.Code.INVALID_ARGUMENT
              : Status.Code.INTERNAL;
      throw Status.of(code, "ONNX Runtime: " + e.getMessage()).withCause(e).asException();
    } catch (IllegalArgumentException | IllegalStateException e) {
      // ORT's Java layer reports some engine limits (buffer sizes) as plain exceptions.
      throw Status.internal("ONNX Runtime: " + e.getMessage()).withCause(e).asException();
    } finally {
      closeLock.readLock().unlock();
      // After the scope closed the ORT tensors over them: nothing reads the copies any more.
      for (int i = 0; i < leases.size(); i++) {
        staging.release(leases.get(i));
      }
    }
  }

  /** Checks each input against its spec, and that every input is given exactly once. */
  private void checkInputs(List<Tensor> inputs) {
    for (int i = 0; i < inputs.size(); i++) {
      Tensor t = inputs.get(i);
      TensorSpec spec = inputSpecs.get(t.name());
      if (spec == null) {
        throw Status.invalidArgument(
                "unknown input '" + t.name() + "' (expected: " + names(signature.inputs()) + ")")
            .asException();
      }
      for (int j = 0; j < i; j++) {
        if (inputs.get(j).name().equals(t.name())) {
          throw Status.invalidArgument("input '" + t.name() + "' given twice").asException();
        }
      }
      OnnxInputs.check(t, spec);
    }
    if (inputs.size() != inputSpecs.size()) {
      for (TensorSpec s : signature.inputs()) {
        if (!given(inputs, s.name())) {
          throw Status.invalidArgument(
                  "missing input '" + s.name() + "' (expected: " + names(signature.inputs())
                      + ")")
              .asException();
        }
      }
    }
  }

  private static boolean given(List<Tensor> inputs, String name) {
    for (Tensor t : inputs) {
      if (t.name().equals(name)) {
        return true;
      }
    }
    return false;
  }

  private Set<String> checkOutputs(Set<String> outputs) {
    for (String name : outputs) {
      if (!allOutputs.contains(name)) {
        throw Status.invalidArgument(
                "unknown output '" + name + "' (expected one of " + names(signature.outputs())
                    + ")")
            .asException();
      }
    }
    return outputs;
  }

  private static String names(List<TensorSpec> specs) {
    List<String> names = new ArrayList<>(specs.size());
    for (TensorSpec s : specs) {
      names.add(s.name());
    }
    return String.join(", ", names);
  }

  /** Closes the session once; later calls do nothing. Waits for runs in flight. */
  @Override
  public void close() {
    closeLock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      closeSession(session);
    } finally {
      closeLock.writeLock().unlock();
    }
  }

  private static void closeSession(OrtSession session) {
    try {
      session.close();
    } catch (OrtException e) {
      throw Status.internal("cannot close ONNX Runtime session: " + e.getMessage())
          .withCause(e)
          .asException();
    } finally {
      NativeScope.closed();
    }
  }

  @Override
  public String toString() {
    return "OnnxBackend{" + modelFile + ", " + signature.inputs() + " -> " + signature.outputs()
        + "}";
  }
}
