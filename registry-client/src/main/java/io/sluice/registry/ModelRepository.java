package io.sluice.registry;

import java.util.List;
import java.util.Optional;

/**
 * A source of models: the local Triton-style folder today, the MLflow Model Registry tomorrow.
 *
 * <p>Both methods read the backing store on every call and may block on I/O, so call them from a
 * poller or a control-plane thread, never from an event loop. Implementations are safe to call from
 * any thread. A repository only says where a model's files are; fetching, verifying and loading
 * them is the caller's business.
 */
public interface ModelRepository {

  /**
   * The names of the models the repository holds now, sorted and without duplicates.
   *
   * @throws RepositoryException of kind {@link RepositoryException.Kind#IO} when the store cannot
   *     be read
   */
  List<String> modelNames() throws RepositoryException;

  /**
   * The configuration and the versions to serve of one model, as its version policy selects them. A
   * version whose files are incomplete is returned with a {@link VersionSource#problem()} rather
   * than failing the whole model.
   *
   * @throws RepositoryException {@link RepositoryException.Kind#NOT_FOUND} for an unknown or
   *     malformed name, {@link RepositoryException.Kind#INVALID_CONFIG} for a configuration that
   *     does not parse or validate, {@link RepositoryException.Kind#IO} when the store cannot be
   *     read
   */
  ModelSource resolve(String modelName) throws RepositoryException;

  /**
   * What the repository has to say about a model's source right now, for the repository index
   * (a registry that stopped answering says since when). Answered from memory, never blocking:
   * the index is served on an event loop. Empty by default.
   */
  default Optional<String> note(String modelName) {
    return Optional.empty();
  }
}
