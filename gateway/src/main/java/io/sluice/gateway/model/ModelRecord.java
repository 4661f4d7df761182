package io.sluice.gateway.model;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An immutable snapshot of one model: its versions' states, whether the operator wants it loaded,
 * and a model-level problem (such as an invalid config.pbtxt) that left it with no version.
 */
public record ModelRecord(
    String name, NavigableMap<Long, VersionState> versions, boolean wanted, String problem) {

  public ModelRecord {
    versions = Collections.unmodifiableNavigableMap(new TreeMap<>(versions));
    problem = problem == null ? "" : problem;
  }

  static ModelRecord unavailable(String name, String problem) {
    return new ModelRecord(name, new TreeMap<>(), true, problem);
  }

  /** The highest READY version. */
  public Optional<VersionState> latestReady() {
    for (Map.Entry<Long, VersionState> e : versions.descendingMap().entrySet()) {
      if (e.getValue().isReady()) {
        return Optional.of(e.getValue());
      }
    }
    return Optional.empty();
  }

  /** True when it is wanted and every version it should serve is READY. */
  public boolean isFullyReady() {
    return !versions.isEmpty() && versions.values().stream().allMatch(VersionState::isReady);
  }

  /** Why the model is not ready, for error messages. */
  public String notReadyReason() {
    if (!problem.isEmpty()) {
      return problem;
    }
    if (!wanted) {
      return "model is unloaded";
    }
    return versions.values().stream()
        .filter(v -> !v.isReady())
        .map(v -> "version " + v.version() + ": " + v.reason())
        .findFirst()
        .orElse("no version is loaded");
  }
}
