package io.sluice.registry;

import static java.util.Objects.requireNonNull;

/** A model repository could not answer; {@link #kind()} says why, the message says where. */
public final class RepositoryException extends Exception {

  private static final long serialVersionUID = 1L;

  /** What went wrong, coarse enough for the gateway to map to one protocol status each. */
  public enum Kind {
    /** No model of that name (including names that could never be a model's). */
    NOT_FOUND,
    /** The model's configuration does not parse or breaks a rule of the repository. */
    INVALID_CONFIG,
    /** The backing store could not be read. */
    IO
  }

  private final Kind kind;

  public RepositoryException(Kind kind, String message) {
    super(message);
    this.kind = requireNonNull(kind, "kind");
  }

  public RepositoryException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = requireNonNull(kind, "kind");
  }

  public Kind kind() {
    return kind;
  }
}
