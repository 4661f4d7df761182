package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import io.sluice.proto.inference.ModelConfigProto.ModelVersionPolicy;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Triton's {@code version_policy}: which of the versions on disk get served.
 *
 * <ul>
 *   <li>{@code latest { num_versions: n }}: the {@code n} highest versions; the default, with
 *       {@code n = 1}, when no policy is set.
 *   <li>{@code all { }}: every version.
 *   <li>{@code specific { versions: [...] }}: the listed versions that exist; a listed version with
 *       no folder is simply not served.
 * </ul>
 */
public final class VersionPolicies {

  private VersionPolicies() {}

  /**
   * The versions {@code policy} selects from {@code available}, ascending and without duplicates.
   *
   * @throws IllegalArgumentException when the policy itself is invalid (see {@link #problem})
   */
  public static List<Long> select(ModelVersionPolicy policy, List<Long> available) {
    requireNonNull(policy, "policy");
    requireNonNull(available, "available");
    problem(policy)
        .ifPresent(
            p -> {
              throw new IllegalArgumentException(p);
            });
    TreeSet<Long> versions = new TreeSet<>(available);
    return switch (policy.getPolicyChoiceCase()) {
      case ALL -> List.copyOf(versions);
      case SPECIFIC -> {
        versions.retainAll(Set.copyOf(policy.getSpecific().getVersionsList()));
        yield List.copyOf(versions);
      }
      case LATEST -> latest(versions, policy.getLatest().getNumVersions());
      case POLICYCHOICE_NOT_SET -> latest(versions, 1);
    };
  }

  /**
   * What is wrong with {@code policy}, if anything: {@code latest} must keep at least one version
   * and {@code specific} may list only non-negative versions.
   */
  static Optional<String> problem(ModelVersionPolicy policy) {
    if (policy.hasLatest() && policy.getLatest().getNumVersions() == 0) {
      return Optional.of("version_policy.latest.num_versions: 0 (expected: > 0)");
    }
    if (policy.hasSpecific()) {
      for (long v : policy.getSpecific().getVersionsList()) {
        if (v < 0) {
          return Optional.of("version_policy.specific.versions: " + v + " (expected: >= 0)");
        }
      }
    }
    return Optional.empty();
  }

  private static List<Long> latest(TreeSet<Long> versions, int numVersions) {
    // num_versions is a uint32 in the proto; a huge value arrives negative and means "all".
    long keep = Integer.toUnsignedLong(numVersions);
    while (versions.size() > keep) {
      versions.pollFirst();
    }
    return List.copyOf(versions);
  }
}
