package io.sluice.gateway.model;

import java.util.List;
import java.util.Objects;

/**
 * The versions one request goes to: the primary answers it; shadows (none yet) would get a copy
 * whose result is compared and dropped. Selectors precompute these, so choosing allocates nothing.
 *
 * @param primary the version whose answer the caller gets
 * @param shadows versions that get a copy of the request; empty today
 */
public record Selection(LoadedVersion primary, List<LoadedVersion> shadows) {
  public Selection {
    Objects.requireNonNull(primary, "primary");
    shadows = List.copyOf(shadows);
  }

  static Selection of(LoadedVersion primary) {
    return new Selection(primary, List.of());
  }
}
