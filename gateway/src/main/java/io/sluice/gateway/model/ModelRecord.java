package io.sluice.gateway.model;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An immutable snapshot of one model: its versions' states, whether the operator wants it loaded,
 * a model-level problem (such as an invalid config.pbtxt) that left it with no version, and the
 * {@link VersionSelector} requests read, published together so a request sees one consistent
 * table. {@code serveOrder} is the repository's choice for requests that name no version (a
 * registry's {@code champion} first, then the version it replaces); empty for Triton's latest.
 */
public record ModelRecord(
    String name,
    NavigableMap<Long, VersionEntry> versions,
    boolean wanted,
    String problem,
    VersionSelector selector,
    List<Long> serveOrder) {

  public ModelRecord {
    versions = Collections.unmodifiableNavigableMap(new TreeMap<>(versions));
    problem = problem == null ? "" : problem;
    serveOrder = serveOrder == null ? List.of() : List.copyOf(serveOrder);
    if (selector == null) {
      selector = new LatestOrNamedSelector(
          name, versions, reason(versions, wanted, problem), serveOrder);
    }
  }

  /** A snapshot with the default selector: latest READY, or the version named. */
  public ModelRecord(
      String name, NavigableMap<Long, VersionEntry> versions, boolean wanted, String problem) {
    this(name, versions, wanted, problem, null, List.of());
  }

  /** A snapshot with its own selector. */
  public ModelRecord(String name, NavigableMap<Long, VersionEntry> versions, boolean wanted,
      String problem, VersionSelector selector) {
    this(name, versions, wanted, problem, selector, List.of());
  }

  static ModelRecord unavailable(String name, String problem) {
    return new ModelRecord(name, new TreeMap<>(), true, problem);
  }

  /** The highest READY version. */
  public Optional<VersionEntry> latestReady() {
    for (Map.Entry<Long, VersionEntry> e : versions.descendingMap().entrySet()) {
      if (e.getValue().isReady()) {
        return Optional.of(e.getValue());
      }
    }
    return Optional.empty();
  }

  /**
   * True when it is wanted and every version it should serve is READY. With a serve order (a
   * registry model) it is enough that a request naming no version has a READY version to go to:
   * a registry version refused at load shows FAILED in the index but must not take the replica
   * out of its load balancer while the version before it serves.
   */
  public boolean isFullyReady() {
    if (!serveOrder.isEmpty()) {
      return serveOrder.stream().map(versions::get)
          .anyMatch(v -> v != null && v.isReady());
    }
    return !versions.isEmpty() && versions.values().stream().allMatch(VersionEntry::isReady);
  }

  /** Why the model is not ready, for error messages. */
  public String notReadyReason() {
    return reason(versions, wanted, problem);
  }

  private static String reason(
      NavigableMap<Long, VersionEntry> versions, boolean wanted, String problem) {
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
