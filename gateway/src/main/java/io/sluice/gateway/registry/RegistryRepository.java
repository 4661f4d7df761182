package io.sluice.gateway.registry;

import io.sluice.registry.ModelRepository;
import io.sluice.registry.ModelSource;
import io.sluice.registry.RepositoryException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry's models as the {@link ModelManager}'s repository sees them: a fixed list of
 * names, each resolving to the last {@link ModelSource} the {@link MlflowFollower} published
 * (versions fetched and verified in the local cache). Resolving reads memory only, so the
 * lifecycle thread never waits on the network; before the first successful fetch a model
 * resolves to an IO error with the reason.
 *
 * @see io.sluice.gateway.model.ModelManager
 */
public final class RegistryRepository implements ModelRepository {
  private final List<String> names;
  private final Map<String, ModelSource> published = new ConcurrentHashMap<>();
  private final Map<String, String> notYet = new ConcurrentHashMap<>();
  private final Map<String, String> notes = new ConcurrentHashMap<>();

  RegistryRepository(List<String> names) {
    this.names = List.copyOf(names.stream().sorted().distinct().toList());
    for (String n : names) {
      notYet.put(n, "not fetched from the registry yet");
    }
  }

  @Override
  public List<String> modelNames() {
    return names;
  }

  boolean holds(String name) {
    return names.contains(name);
  }

  @Override
  public ModelSource resolve(String modelName) throws RepositoryException {
    ModelSource s = published.get(modelName);
    if (s != null) {
      return s;
    }
    if (!names.contains(modelName)) {
      throw new RepositoryException(RepositoryException.Kind.NOT_FOUND,
          "model '" + modelName + "' is not followed in the registry");
    }
    throw new RepositoryException(RepositoryException.Kind.IO,
        "model '" + modelName + "': " + notYet.getOrDefault(modelName, "not fetched yet"));
  }

  /** Called by the follower only. */
  void publish(ModelSource source) {
    published.put(source.name(), source);
    notYet.remove(source.name());
  }

  @Override
  public java.util.Optional<String> note(String modelName) {
    return java.util.Optional.ofNullable(notes.get(modelName));
  }

  /** Sets (or, with null, clears) what the index says of a model's registry. */
  void note(String name, String note) {
    if (note == null) {
      notes.remove(name);
    } else {
      notes.put(name, note);
    }
  }

  /** Why a model that never fetched has no source yet (the registry is down, say). */
  void notYet(String name, String reason) {
    if (!published.containsKey(name)) {
      notYet.put(name, reason);
    }
  }

  @Override
  public String toString() {
    return "RegistryRepository(" + names + ")";
  }
}
