package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.proto.inference.ModelConfigProto.ModelVersionPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

class VersionPoliciesTest {

  private static final List<Long> ON_DISK = List.of(3L, 1L, 10L, 2L);

  @Test
  void noPolicyMeansTheLatestOne() {
    assertThat(VersionPolicies.select(ModelVersionPolicy.getDefaultInstance(), ON_DISK))
        .containsExactly(10L);
  }

  @Test
  void latestKeepsTheHighestVersionsAscending() {
    assertThat(VersionPolicies.select(latest(2), ON_DISK)).containsExactly(3L, 10L);
  }

  @Test
  void latestBeyondWhatExistsKeepsEverything() {
    assertThat(VersionPolicies.select(latest(9), ON_DISK)).containsExactly(1L, 2L, 3L, 10L);
  }

  @Test
  void latestOfTheLargestUint32KeepsEverything() {
    assertThat(VersionPolicies.select(latest(-1), ON_DISK)).containsExactly(1L, 2L, 3L, 10L);
  }

  @Test
  void latestZeroIsRejected() {
    assertThatThrownBy(() -> VersionPolicies.select(latest(0), ON_DISK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("version_policy.latest.num_versions: 0 (expected: > 0)");
  }

  @Test
  void allKeepsEveryVersionAscending() {
    ModelVersionPolicy all =
        ModelVersionPolicy.newBuilder().setAll(ModelVersionPolicy.All.getDefaultInstance()).build();

    assertThat(VersionPolicies.select(all, ON_DISK)).containsExactly(1L, 2L, 3L, 10L);
  }

  @Test
  void specificKeepsOnlyListedVersionsThatExist() {
    assertThat(VersionPolicies.select(specific(10, 4, 1, 1), ON_DISK)).containsExactly(1L, 10L);
  }

  @Test
  void nothingOnDiskSelectsNothing() {
    assertThat(VersionPolicies.select(latest(1), List.of())).isEmpty();
    assertThat(VersionPolicies.select(specific(1), List.of())).isEmpty();
  }

  private static ModelVersionPolicy latest(int numVersions) {
    return ModelVersionPolicy.newBuilder()
        .setLatest(ModelVersionPolicy.Latest.newBuilder().setNumVersions(numVersions))
        .build();
  }

  private static ModelVersionPolicy specific(long... versions) {
    ModelVersionPolicy.Specific.Builder specific = ModelVersionPolicy.Specific.newBuilder();
    for (long v : versions) {
      specific.addVersions(v);
    }
    return ModelVersionPolicy.newBuilder().setSpecific(specific).build();
  }
}
