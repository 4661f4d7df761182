package io.sluice.gateway.model;

import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.runtime.Backend;
import io.sluice.runtime.BackendOptions;
import io.sluice.runtime.BackendProvider;
import io.sluice.runtime.EchoBackend;
import io.sluice.runtime.Status;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The engines this gateway can run, keyed by the {@code platform} and {@code backend} names of
 * {@code config.pbtxt}. Built once at start-up from an explicit list of {@link BackendProvider}s
 * (no service loading, no static state) and immutable after. A config that names neither picks
 * the provider whose default model file the version holds ({@code model.savedmodel} means
 * TensorFlow, as Triton's autofill tells the engine by the file), else the first provider; a config
 * whose platform or backend no provider serves, or whose two names belong to different engines,
 * is refused with UNIMPLEMENTED, naming the platforms that are served.
 */
public final class BackendRegistry {
  private final List<BackendProvider> providers;
  private final Map<String, BackendProvider> byPlatform = new HashMap<>();
  private final Map<String, BackendProvider> byBackend = new HashMap<>();

  private BackendRegistry(List<BackendProvider> providers) {
    if (providers.isEmpty()) {
      throw new IllegalArgumentException("providers: [] (expected: at least one engine)");
    }
    this.providers = List.copyOf(providers);
    for (BackendProvider p : this.providers) {
      if (byPlatform.put(p.platform(), p) != null) {
        throw new IllegalArgumentException("platform '" + p.platform() + "' registered twice");
      }
      if (byBackend.put(p.backend(), p) != null) {
        throw new IllegalArgumentException("backend '" + p.backend() + "' registered twice");
      }
    }
  }

  /** A registry of {@code providers}; the first one serves configs that name no engine. */
  public static BackendRegistry of(BackendProvider... providers) {
    return new BackendRegistry(List.of(providers));
  }

  /**
   * The benchmark's transport ceiling: the same names, but every instance reads the model's
   * signature with the real engine, then answers every run with zeros of the real output sizes
   * and no compute.
   */
  public BackendRegistry echo() {
    List<BackendProvider> echoes = new ArrayList<>(providers.size());
    for (BackendProvider p : providers) {
      echoes.add(new EchoProvider(p));
    }
    return new BackendRegistry(echoes);
  }

  /**
   * The provider for {@code config} (as given, not yet completed).
   *
   * @throws io.sluice.runtime.StatusException UNIMPLEMENTED when no provider serves it
   */
  public BackendProvider select(ModelConfig config) {
    return select(config, null);
  }

  /**
   * The provider for {@code config} (as given, not yet completed) and the version's {@code
   * modelFile} (null: unknown), which decides when the config names no engine.
   *
   * @throws io.sluice.runtime.StatusException UNIMPLEMENTED when no provider serves it
   */
  public BackendProvider select(ModelConfig config, Path modelFile) {
    String platform = config.getPlatform();
    String backend = config.getBackend();
    if (platform.isEmpty() && backend.isEmpty()) {
      Path file = modelFile == null ? null : modelFile.getFileName();
      for (BackendProvider p : providers) {
        if (file != null && file.toString().equals(p.defaultModelFilename())) {
          return p;
        }
      }
      return providers.get(0);
    }
    BackendProvider p = platform.isEmpty() ? byBackend.get(backend) : byPlatform.get(platform);
    if (p == null || (!backend.isEmpty() && !backend.equals(p.backend()))) {
      throw Status.unimplemented(
              "platform '" + platform + "' / backend '" + backend
                  + "' is not supported (expected: " + String.join(", ", platforms()) + ")")
          .asException();
    }
    return p;
  }

  private List<String> platforms() {
    List<String> names = new ArrayList<>(providers.size());
    for (BackendProvider p : providers) {
      names.add(p.platform());
    }
    return names;
  }

  @Override
  public String toString() {
    return "BackendRegistry" + providers;
  }

  /** A provider whose instances are {@link EchoBackend}s over the real engine's signature. */
  private static final class EchoProvider implements BackendProvider {
    private final BackendProvider real;

    EchoProvider(BackendProvider real) {
      this.real = Objects.requireNonNull(real, "real");
    }

    @Override
    public String platform() {
      return real.platform();
    }

    @Override
    public String backend() {
      return real.backend();
    }

    @Override
    public String defaultModelFilename() {
      return real.defaultModelFilename();
    }

    @Override
    public Backend open(Path modelFile, BackendOptions options) {
      try (Backend engine = real.open(modelFile, options)) {
        return new EchoBackend(engine.signature());
      }
    }

    @Override
    public String toString() {
      return "echo(" + real + ")";
    }
  }
}
