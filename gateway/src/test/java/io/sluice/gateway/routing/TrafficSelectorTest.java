package io.sluice.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.gateway.model.LoadedVersion;
import io.sluice.gateway.model.Selection;
import io.sluice.gateway.model.TestVersions;
import io.sluice.gateway.model.VersionEntry;
import io.sluice.gateway.model.VersionSelector;
import io.sluice.gateway.request.RequestContext;
import io.sluice.gateway.routing.TrafficPolicy.Candidate;
import io.sluice.gateway.routing.TrafficPolicy.Shadow;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.commons.statistics.distribution.BinomialDistribution;
import org.junit.jupiter.api.Test;

/** Arms, pins and sticky keys, with seeded randomness: no request depends on chance. */
class TrafficSelectorTest {
  private static final ModelConfig CONFIG = ModelConfig.newBuilder().setName("m").build();
  private final LoadedVersion v1 = TestVersions.of("m", 1, CONFIG);
  private final LoadedVersion v2 = TestVersions.of("m", 2, CONFIG);
  private final LoadedVersion v3 = TestVersions.of("m", 3, CONFIG);
  private final SplittableRandom random = new SplittableRandom(42);
  private final TrafficTable table = new TrafficTable(new SimpleMeterRegistry(),
      Clock.systemUTC(), random::nextDouble, null);
  private final VersionSelector selector;

  TrafficSelectorTest() {
    TreeMap<Long, VersionEntry> versions = new TreeMap<>();
    for (LoadedVersion v : List.of(v1, v2, v3)) {
      versions.put(v.version(), TestVersions.ready(v));
    }
    selector = table.decorate("m", versions, TestVersions.defaultSelector("m", versions));
  }

  private static TrafficPolicy policy(long stable, List<Candidate> candidates,
      List<Shadow> shadows, String sticky) {
    return new TrafficPolicy(stable, candidates, shadows, sticky, GuardConfig.ofDefaults(),
        TrafficPolicy.Comparison.ofDefaults());
  }

  private static RequestContext headers(Map<String, String> headers) {
    return new RequestContext("", headers, Map.of(), Long.MAX_VALUE, null, null);
  }

  @Test
  void aNinetyTenSplitLandsWithinTheBinomialBoundOverTenThousandRequests() {
    table.put("m", policy(1, List.of(new Candidate(2, 10)), List.of(), null));
    int n = 10_000;
    int canary = 0;
    for (int i = 0; i < n; i++) {
      Selection s = selector.select("", RequestContext.NONE);
      if (s.primary() == v2) {
        assertThat(s.route()).isEqualTo(Selection.Route.CANARY);
        canary++;
      } else {
        assertThat(s.primary()).isSameAs(v1);
        assertThat(s.route()).isEqualTo(Selection.Route.STABLE);
      }
    }
    // scipy.stats.binom.ppf([0.0005, 0.9995], 10000, 0.1) = [903, 1100]
    BinomialDistribution b = BinomialDistribution.of(n, 0.1);
    assertThat(b.inverseCumulativeProbability(0.0005)).isEqualTo(903);
    assertThat(b.inverseCumulativeProbability(0.9995)).isEqualTo(1100);
    assertThat(canary).isBetween(903, 1100);
  }

  @Test
  void aStickyKeyKeepsItsArmAcrossRequests() {
    table.put("m", policy(1, List.of(new Candidate(2, 30)), List.of(), "x-user-id"));
    Map<String, LoadedVersion> first = new HashMap<>();
    for (int i = 0; i < 1000; i++) {
      first.put("user-" + i,
          selector.select("", headers(Map.of("x-user-id", "user-" + i))).primary());
    }
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 1000; i++) {
        assertThat(selector.select("", headers(Map.of("x-user-id", "user-" + i))).primary())
            .isSameAs(first.get("user-" + i));
      }
    }
    assertThat(first.values().stream().filter(v -> v == v2).count()).isBetween(240L, 360L);
  }

  @Test
  void theStickyParameterWorksWithoutAHeaderInThePolicy() {
    table.put("m", policy(1, List.of(new Candidate(2, 50)), List.of(), null));
    RequestContext c = new RequestContext("", Map.of(), Map.of("sticky_key", "alice"),
        Long.MAX_VALUE, null, null);
    LoadedVersion arm = selector.select("", c).primary();
    for (int i = 0; i < 100; i++) {
      assertThat(selector.select("", c).primary()).isSameAs(arm);
    }
  }

  @Test
  void aWeightChangeMovesNoMoreKeysThanTheChange() {
    table.put("m", policy(1, List.of(new Candidate(2, 10)), List.of(), "x-user-id"));
    int keys = 10_000;
    LoadedVersion[] before = new LoadedVersion[keys];
    for (int i = 0; i < keys; i++) {
      before[i] = selector.select("", headers(Map.of("x-user-id", "k" + i))).primary();
    }
    table.put("m", policy(1, List.of(new Candidate(2, 25)), List.of(), "x-user-id"));
    int moved = 0;
    for (int i = 0; i < keys; i++) {
      LoadedVersion after = selector.select("", headers(Map.of("x-user-id", "k" + i))).primary();
      if (after != before[i]) {
        // Only stable → canary: nobody on the canary leaves it when its weight grows.
        assertThat(before[i]).isSameAs(v1);
        assertThat(after).isSameAs(v2);
        moved++;
      }
    }
    // 15 points of weight: 15% of the keys expected; binom.ppf(0.9995, 10000, 0.15) = 1619.
    assertThat(moved).isLessThanOrEqualTo(
        BinomialDistribution.of(keys, 0.15).inverseCumulativeProbability(0.9995));
    assertThat(moved).isGreaterThan(0);
  }

  @Test
  void aPinnedVersionIsServedWhateverThePolicy() {
    table.put("m", policy(1, List.of(new Candidate(2, 10)), List.of(), null));
    Selection s = selector.select("", headers(Map.of("x-sluice-version", "3")));
    assertThat(s.primary()).isSameAs(v3);
    assertThat(s.route()).isEqualTo(Selection.Route.PINNED);
  }

  @Test
  void aPinToAVersionThatIsNotLoadedIsNotFoundNeverAFallback() {
    assertThatThrownBy(() -> selector.select("", headers(Map.of("x-sluice-version", "7"))))
        .isInstanceOfSatisfying(StatusException.class, e -> {
          assertThat(e.status().code()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.status().description()).contains("version 7").contains("[1, 2, 3]");
        });
  }

  @Test
  void aPinThatIsNoNumberIsInvalid() {
    assertThatThrownBy(() -> selector.select("", headers(Map.of("x-sluice-version", "two"))))
        .isInstanceOfSatisfying(StatusException.class,
            e -> assertThat(e.status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }

  @Test
  void aRequestNamingAVersionGetsItAndIsPinned() {
    table.put("m", policy(1, List.of(new Candidate(2, 100)), List.of(), null));
    Selection s = selector.select("3", RequestContext.NONE);
    assertThat(s.primary()).isSameAs(v3);
    assertThat(s.route()).isEqualTo(Selection.Route.PINNED);
  }

  @Test
  void withoutAPolicyTheLatestVersionServesAsStable() {
    Selection s = selector.select("", RequestContext.NONE);
    assertThat(s.primary()).isSameAs(v3);
    assertThat(s.route()).isEqualTo(Selection.Route.STABLE);
  }

  @Test
  void aCanarySelectionFallsBackOnStable() {
    table.put("m", policy(1, List.of(new Candidate(2, 100)), List.of(), null));
    Selection s = selector.select("", RequestContext.NONE);
    assertThat(s.primary()).isSameAs(v2);
    assertThat(s.fallback().primary()).isSameAs(v1);
    assertThat(s.fallback().route()).isEqualTo(Selection.Route.STABLE);
  }

  @Test
  void aRolledBackCandidateGetsNoTrafficAndTheOthersKeepTheirKeys() {
    table.put("m", policy(1, List.of(new Candidate(2, 10), new Candidate(3, 10)), List.of(),
        "x-user-id"));
    Map<String, LoadedVersion> onThree = new HashMap<>();
    for (int i = 0; i < 2000; i++) {
      LoadedVersion v = selector.select("", headers(Map.of("x-user-id", "u" + i))).primary();
      if (v == v3) {
        onThree.put("u" + i, v);
      }
    }
    assertThat(table.rollback("m", 2, "manual", "test")).isTrue();
    assertThat(table.rollback("m", 2, "manual", "again")).isFalse();
    for (int i = 0; i < 2000; i++) {
      LoadedVersion v = selector.select("", headers(Map.of("x-user-id", "u" + i))).primary();
      assertThat(v).isNotSameAs(v2);
      if (onThree.containsKey("u" + i)) {
        assertThat(v).isSameAs(v3);
      }
    }
  }

  @Test
  void aShadowGetsItsFractionOfTheRequests() {
    table.put("m", policy(1, List.of(), List.of(new Shadow(3, 0.25)), null));
    int n = 10_000;
    int shadowed = 0;
    for (int i = 0; i < n; i++) {
      Selection s = selector.select("", RequestContext.NONE);
      assertThat(s.primary()).isSameAs(v1);
      if (!s.shadows().isEmpty()) {
        assertThat(s.shadows()).containsExactly(v3);
        shadowed++;
      }
    }
    // scipy.stats.binom.ppf([0.0005, 0.9995], 10000, 0.25) = [2358, 2643]
    BinomialDistribution b = BinomialDistribution.of(n, 0.25);
    assertThat(shadowed).isBetween(b.inverseCumulativeProbability(0.0005),
        b.inverseCumulativeProbability(0.9995));
  }

  @Test
  void aQueryForTheServingVersionGetsStableNeverACanary() {
    table.put("m", policy(1, List.of(new Candidate(2, 100)), List.of(new Shadow(3, 1.0)), null));
    Selection s = selector.select("", RequestContext.QUERY);
    assertThat(s.primary()).isSameAs(v1);
    assertThat(s.shadows()).isEmpty();
  }
}
