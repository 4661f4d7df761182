package io.sluice.gateway.model;

import io.sluice.gateway.request.RequestContext;
import io.sluice.runtime.Status;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * Triton's rule: with no version named, the highest READY version; otherwise that version, if
 * it is READY. A repository that gives a serve order (a registry: the {@code champion} alias's
 * version, then the one it replaces) overrides the first half: the first READY version of that
 * order. Built once per published {@link ModelRecord}; every answer is precomputed.
 */
final class LatestOrNamedSelector implements VersionSelector {
  private final String model;
  private final Selection latest;
  private final String notReadyReason;
  private final NavigableMap<Long, VersionEntry> versions;
  private final Map<Long, Selection> named = new HashMap<>();

  LatestOrNamedSelector(String model, NavigableMap<Long, VersionEntry> versions,
      String notReadyReason) {
    this(model, versions, notReadyReason, List.of());
  }

  LatestOrNamedSelector(String model, NavigableMap<Long, VersionEntry> versions,
      String notReadyReason, List<Long> serveOrder) {
    this.model = model;
    this.versions = versions;
    this.notReadyReason = notReadyReason;
    Selection highest = null;
    for (VersionEntry v : versions.descendingMap().values()) {
      if (v.isReady()) {
        named.put(v.version(), Selection.of(v.loaded(), Selection.Route.PINNED));
        if (highest == null) {
          highest = Selection.of(v.loaded());
        }
      }
    }
    Selection preferred = null;
    for (long v : serveOrder) {
      Selection s = named.get(v);
      if (s != null) {
        preferred = Selection.of(s.primary());
        break;
      }
    }
    this.latest = serveOrder.isEmpty() ? highest : preferred;
  }

  @Override
  public Selection select(String requestedVersion, RequestContext context) {
    if (requestedVersion == null || requestedVersion.isEmpty()) {
      if (latest == null) {
        throw Status.unavailable("model '" + model + "' is not ready: " + notReadyReason)
            .asException();
      }
      return latest;
    }
    long number = parseVersion(model, requestedVersion);
    Selection s = named.get(number);
    if (s != null) {
      return s;
    }
    VersionEntry v = versions.get(number);
    if (v == null) {
      throw Status.notFound("unknown version " + requestedVersion + " of model '" + model + "'")
          .asException();
    }
    throw Status.unavailable(
            "model '" + model + "' version " + requestedVersion + " is not ready: " + v.reason())
        .asException();
  }

  static long parseVersion(String name, String version) {
    try {
      long v = Long.parseLong(version);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw Status.invalidArgument(
              "version '" + version + "' of model '" + name + "' (expected: a decimal number)")
          .asException();
    }
  }
}
