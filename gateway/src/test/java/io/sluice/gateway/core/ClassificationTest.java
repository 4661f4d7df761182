package io.sluice.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runtime.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationTest {

  private static List<String> strings(Tensor t) {
    return t.bytesElements().stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
  }

  @Test
  void topKPerBatchItemInDescendingOrderWithLabels() {
    Tensor scores =
        Tensor.ofFloats("p", new long[] {2, 3}, 0.1f, 0.7f, 0.2f, 0.5f, 0.25f, 0.25f);

    Tensor top = Classification.topK(scores, 2, true, List.of("a", "b", "c"));

    assertThat(top.shape()).containsExactly(2, 2);
    assertThat(strings(top))
        .containsExactly(
            "0.700000:1:b", "0.200000:2:c", "0.500000:0:a", "0.250000:1:b");
  }

  @Test
  void withoutLabelsTheEntryIsValueAndIndex() {
    Tensor scores = Tensor.ofLongs("s", new long[] {3}, 3, 9, 1);

    Tensor top = Classification.topK(scores, 1, false, List.of());

    assertThat(top.shape()).containsExactly(1);
    assertThat(strings(top)).containsExactly("9.000000:1");
  }

  @Test
  void kLargerThanTheClassCountReturnsEveryClass() {
    Tensor scores = Tensor.ofFloats("p", new long[] {1, 2}, 0.4f, 0.6f);

    Tensor top = Classification.topK(scores, 5, true, List.of());

    assertThat(top.shape()).containsExactly(1, 2);
  }
}
