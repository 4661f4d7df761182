package io.sluice.gateway.model;

import java.util.NavigableMap;

/**
 * Wraps each model's default selector when {@link ModelManager} publishes a snapshot, so a
 * routing table (canary weights, pins, sticky keys, shadows) sees the same versions the snapshot
 * holds. Called on the lifecycle thread, once per published snapshot; the selector it returns is
 * read by every request until the next one.
 */
@FunctionalInterface
public interface SelectorDecorator {
  /** Leaves the default selector as it is. */
  SelectorDecorator NONE = (model, versions, base) -> base;

  /**
   * @param versions the snapshot's versions, READY ones with their {@link LoadedVersion}
   * @param base the snapshot's default selector (latest READY, or the version named)
   */
  VersionSelector decorate(
      String model, NavigableMap<Long, VersionEntry> versions, VersionSelector base);
}
