package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One model as a repository resolved it.
 *
 * @param name the model's name, which is also its folder's name
 * @param directory the model's folder; relative paths in the configuration (such as {@code
 *     label_filename}) are relative to it
 * @param config the parsed {@code config.pbtxt}, empty when the model has none (the gateway then
 *     fills one in from the model's signature)
 * @param versions the versions the version policy selected, ascending; possibly empty
 * @param serveOrder the versions a request that names none goes to, best first: the first READY
 *     one answers. Empty for Triton's rule, the highest READY version. A registry puts the version
 *     its {@code champion} alias names first, then the one it named before, which keeps serving
 *     until its successor is READY.
 */
public record ModelSource(
    String name,
    Path directory,
    Optional<ModelConfig> config,
    List<VersionSource> versions,
    List<Long> serveOrder) {

  public ModelSource {
    requireNonNull(name, "name");
    requireNonNull(directory, "directory");
    requireNonNull(config, "config");
    versions = List.copyOf(versions);
    serveOrder = List.copyOf(serveOrder);
  }

  /** A model whose unnamed requests go to its highest READY version. */
  public ModelSource(
      String name, Path directory, Optional<ModelConfig> config, List<VersionSource> versions) {
    this(name, directory, config, versions, List.of());
  }
}
