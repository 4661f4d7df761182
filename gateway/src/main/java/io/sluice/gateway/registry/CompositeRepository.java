package io.sluice.gateway.registry;

import io.sluice.registry.ModelRepository;
import io.sluice.registry.ModelSource;
import io.sluice.registry.RepositoryException;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A folder repository and the registry's models side by side. A name the registry follows is
 * the registry's, even if the folder has one too (the folder's is then hidden, with a warning
 * each time the names are listed).
 */
public final class CompositeRepository implements ModelRepository {
  private static final Logger log = LoggerFactory.getLogger(CompositeRepository.class);

  private final Optional<ModelRepository> folder;
  private final RegistryRepository registry;

  public CompositeRepository(Optional<ModelRepository> folder, RegistryRepository registry) {
    this.folder = folder;
    this.registry = registry;
  }

  @Override
  public List<String> modelNames() throws RepositoryException {
    TreeSet<String> names = new TreeSet<>(registry.modelNames());
    if (folder.isPresent()) {
      for (String n : folder.get().modelNames()) {
        if (!names.add(n)) {
          log.warn("model '{}' is both in the folder and followed in MLflow: MLflow's is served", n);
        }
      }
    }
    return List.copyOf(names);
  }

  @Override
  public ModelSource resolve(String modelName) throws RepositoryException {
    if (registry.holds(modelName) || folder.isEmpty()) {
      return registry.resolve(modelName);
    }
    return folder.get().resolve(modelName);
  }

  @Override
  public java.util.Optional<String> note(String modelName) {
    return registry.holds(modelName) ? registry.note(modelName)
        : folder.flatMap(f -> f.note(modelName));
  }

  @Override
  public String toString() {
    return "CompositeRepository(" + folder.map(Object::toString).orElse("no folder") + ", "
        + registry + ")";
  }
}
