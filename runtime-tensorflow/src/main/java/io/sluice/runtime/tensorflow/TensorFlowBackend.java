package io.sluice.runtime.tensorflow;

import io.sluice.runtime.Backend;
import io.sluice.runtime.ModelSignature;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import io.sluice.runtime.Tensor;
import io.sluice.runtime.TensorSpec;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.proto.ConfigProto;

/**
 * One TensorFlow SavedModel, loaded through TensorFlow Java, as a {@link Backend}. The bundle's
 * session is sized by {@link TensorFlowOptions} (intra- and inter-op pools) and serves one
 * signature, {@code serving_default} unless told otherwise. A call checks its inputs against the
 * signature first, so a wrong name, datatype or shape is an INVALID_ARGUMENT naming what was
 * expected; then {@link TfInputs} copies each input once into TensorFlow's memory, the signature
 * function runs, and {@link TfOutputs} copies each wanted output out once, all inside one {@link
 * NativeScope} so every tensor and result is closed on every path. A TensorFlow session is safe
 * for concurrent runs; a read-write lock only keeps {@link #close()} from freeing the bundle under
 * a run in flight.
 */
public final class TensorFlowBackend implements Backend {
  private final Path modelDir;
  private final SavedModelBundle bundle;
  private final SessionFunction function;
  private final ModelSignature signature;
  private final Map<String, TensorSpec> inputSpecs = new HashMap<>();
  private final Set<String> allOutputs = new LinkedHashSet<>();
  private final ReadWriteLock closeLock = new ReentrantReadWriteLock();
  // @GuardedBy("closeLock")
  private boolean closed;

  private TensorFlowBackend(Path modelDir, SavedModelBundle bundle, SessionFunction function,
      ModelSignature signature) {
    this.modelDir = modelDir;
    this.bundle = bundle;
    this.function = function;
    this.signature = signature;
    for (TensorSpec s : signature.inputs()) {
      inputSpecs.put(s.name(), s);
    }
    for (TensorSpec s : signature.outputs()) {
      allOutputs.add(s.name());
    }
  }

  /**
   * Loads the SavedModel folder {@code modelDir}.
   *
   * @throws StatusException INTERNAL with TensorFlow's message when the folder is missing, is not
   *     a SavedModel, lacks the tags, or has no such signature (the message lists those it has)
   */
  public static TensorFlowBackend open(Path modelDir, TensorFlowOptions options) {
    Objects.requireNonNull(modelDir, "modelDir");
    Objects.requireNonNull(options, "options");
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw Status.internal("the TensorFlow backend needs a little-endian platform (found: "
          + ByteOrder.nativeOrder() + ")").asException();
    }
    if (!Files.isDirectory(modelDir)) {
      throw Status.internal("cannot load TensorFlow SavedModel " + modelDir
          + ": no such folder (expected: a folder with saved_model.pb and variables/)")
          .asException();
    }
    SavedModelBundle bundle;
    try {
      bundle = SavedModelBundle.loader(modelDir.toString())
          .withTags(options.tags().toArray(new String[0]))
          .withConfigProto(config(options))
          .load();
    } catch (TensorFlowException | IllegalArgumentException e) {
      throw Status.internal("cannot load TensorFlow SavedModel " + modelDir + ": "
          + e.getMessage()).withCause(e).asException();
    } catch (LinkageError e) {
      throw Status.internal("cannot load the TensorFlow native library: " + e)
          .withCause(e).asException();
    }
    NativeScope.opened();
    try {
      SessionFunction function = function(bundle, options.signatureKey(), modelDir);
      return new TensorFlowBackend(modelDir, bundle, function,
          TfSignatures.read(function.signature()));
    } catch (RuntimeException e) {
      closeBundle(bundle);
      throw e;
    }
  }

  /** The session's thread pools; nothing else of TensorFlow's defaults changes. */
  static ConfigProto config(TensorFlowOptions options) {
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(options.intraOpThreads())
        .setInterOpParallelismThreads(options.interOpThreads())
        .build();
  }

  private static SessionFunction function(SavedModelBundle bundle, String key, Path modelDir) {
    List<String> keys = new ArrayList<>();
    for (Signature s : bundle.signatures()) {
      if (s.key().equals(key)) {
        return bundle.function(key);
      }
      keys.add(s.key());
    }
    throw Status.internal("TensorFlow SavedModel " + modelDir + " has no signature '" + key
        + "' (expected one of " + keys + "; name another with the model parameter "
        + TensorFlowBackendProvider.SIGNATURE_DEF + ")").asException();
  }

  /** Native TensorFlow objects (bundles, tensors, results) open in this process, for leak checks. */
  static int openNativeObjects() {
    return NativeScope.openCount();
  }

  @Override
  public ModelSignature signature() {
    return signature;
  }

  @Override
  public List<Tensor> run(List<Tensor> inputs, Set<String> outputs) {
    Set<String> wanted = outputs.isEmpty() ? allOutputs : checkOutputs(outputs);
    Map<String, Tensor> byName = checkInputs(inputs);
    closeLock.readLock().lock();
    try {
      if (closed) {
        throw Status.unavailable("model instance " + modelDir + " is closed").asException();
      }
      try (NativeScope scope = new NativeScope()) {
        Map<String, org.tensorflow.Tensor> feed = new HashMap<>();
        for (Map.Entry<String, Tensor> e : byName.entrySet()) {
          feed.put(e.getKey(), scope.add(TfInputs.toTf(e.getValue())));
        }
        Result result = scope.add(function.call(feed));
        List<Tensor> out = new ArrayList<>(wanted.size());
        for (TensorSpec spec : signature.outputs()) {
          if (wanted.contains(spec.name())) {
            org.tensorflow.Tensor v = result.get(spec.name()).orElseThrow(
                () -> Status.internal("TensorFlow returned no '" + spec.name() + "'")
                    .asException());
            out.add(TfOutputs.toTensor(spec, v));
          }
        }
        return out;
      }
    } catch (TFInvalidArgumentException e) {
      throw Status.invalidArgument("TensorFlow: " + e.getMessage()).withCause(e).asException();
    } catch (TensorFlowException | IllegalArgumentException | IllegalStateException e) {
      throw Status.internal("TensorFlow: " + e.getMessage()).withCause(e).asException();
    } finally {
      closeLock.readLock().unlock();
    }
  }

  private Map<String, Tensor> checkInputs(List<Tensor> inputs) {
    Map<String, Tensor> byName = new HashMap<>();
    for (Tensor t : inputs) {
      TensorSpec spec = inputSpecs.get(t.name());
      if (spec == null) {
        throw Status.invalidArgument(
                "unknown input '" + t.name() + "' (expected: " + names(signature.inputs()) + ")")
            .asException();
      }
      if (byName.put(t.name(), t) != null) {
        throw Status.invalidArgument("input '" + t.name() + "' given twice").asException();
      }
      TfInputs.check(t, spec);
    }
    if (byName.size() != inputSpecs.size()) {
      for (TensorSpec s : signature.inputs()) {
        if (!byName.containsKey(s.name())) {
          throw Status.invalidArgument(
                  "missing input '" + s.name() + "' (expected: " + names(signature.inputs())
                      + ")")
              .asException();
        }
      }
    }
    return byName;
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

  /** Closes the bundle once; later calls do nothing. Waits for runs in flight. */
  @Override
  public void close() {
    closeLock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      closeBundle(bundle);
    } finally {
      closeLock.writeLock().unlock();
    }
  }

  private static void closeBundle(SavedModelBundle bundle) {
    try {
      bundle.close();
    } catch (TensorFlowException e) {
      throw Status.internal("cannot close TensorFlow SavedModel: " + e.getMessage())
          .withCause(e)
          .asException();
    } finally {
      NativeScope.closed();
    }
  }

  @Override
  public String toString() {
    return "TensorFlowBackend{" + modelDir + ", " + signature.inputs() + " -> "
        + signature.outputs() + "}";
  }
}
