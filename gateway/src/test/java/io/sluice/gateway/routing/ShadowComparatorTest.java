package io.sluice.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.gateway.routing.TrafficPolicy.Comparison;
import io.sluice.runtime.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShadowComparatorTest {
  private static final Comparison AUTO = Comparison.ofDefaults();

  @Test
  void twoCopiesOfTheSameAnswerAgreeWithNoDifference() {
    Tensor t = Tensor.ofFloats("p", new long[] {2, 3}, 0.1f, 0.7f, 0.2f, 0.5f, 0.4f, 0.1f);
    ShadowComparator.Result r = ShadowComparator.compare(List.of(t), List.of(t), AUTO);
    assertThat(r.agree()).isTrue();
    assertThat(r.maxAbsDiff()).isZero();
  }

  @Test
  void classifierScoresAgreeByArgmaxEvenWhenTheyDiffer() {
    Tensor a = Tensor.ofFloats("p", new long[] {1, 3}, 0.1f, 0.7f, 0.2f);
    Tensor b = Tensor.ofFloats("p", new long[] {1, 3}, 0.2f, 0.5f, 0.3f);
    ShadowComparator.Result r = ShadowComparator.compare(List.of(a), List.of(b), AUTO);
    assertThat(r.agree()).isTrue();
    assertThat(r.maxAbsDiff()).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void aDifferentArgmaxDisagrees() {
    Tensor a = Tensor.ofFloats("p", new long[] {1, 3}, 0.1f, 0.7f, 0.2f);
    Tensor b = Tensor.ofFloats("p", new long[] {1, 3}, 0.8f, 0.1f, 0.1f);
    assertThat(ShadowComparator.compare(List.of(a), List.of(b), AUTO).agree()).isFalse();
  }

  @Test
  void numericOutputsAgreeWithinTheTolerance() {
    Tensor a = Tensor.ofFloats("y", new long[] {2, 1}, 1.0f, 100f);
    Tensor near = Tensor.ofFloats("y", new long[] {2, 1}, 1.000001f, 100.05f);
    Tensor far = Tensor.ofFloats("y", new long[] {2, 1}, 1.1f, 100f);
    assertThat(ShadowComparator.compare(List.of(a), List.of(near), AUTO).agree()).isTrue();
    assertThat(ShadowComparator.compare(List.of(a), List.of(far), AUTO).agree()).isFalse();
  }

  @Test
  void integerOutputsMustBeEqual() {
    Tensor a = Tensor.ofLongs("sum", new long[] {4}, 1, 2, 3, 4);
    Tensor b = Tensor.ofLongs("sum", new long[] {4}, 2, 3, 4, 5);
    assertThat(ShadowComparator.compare(List.of(a), List.of(a), AUTO).agree()).isTrue();
    assertThat(ShadowComparator.compare(List.of(a), List.of(b), AUTO).agree()).isFalse();
  }

  @Test
  void aMissingOutputDisagrees() {
    Tensor a = Tensor.ofLongs("sum", new long[] {1}, 1);
    assertThat(ShadowComparator.compare(List.of(a), List.of(), AUTO).agree()).isFalse();
  }
}
