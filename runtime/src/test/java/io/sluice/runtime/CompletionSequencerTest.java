package io.sluice.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompletionSequencerTest {
  private final List<Long> ran = new ArrayList<>();

  @Test
  void withOrderingACompletionWaitsForEveryEarlierOne() {
    CompletionSequencer sequencer = new CompletionSequencer(true);
    sequencer.complete(2, () -> ran.add(2L));
    sequencer.complete(1, () -> ran.add(1L));
    assertThat(ran).isEmpty();
    assertThat(sequencer.parkedCount()).isEqualTo(2);
    sequencer.complete(0, () -> ran.add(0L));
    assertThat(ran).containsExactly(0L, 1L, 2L);
    assertThat(sequencer.parkedCount()).isZero();
  }

  @Test
  void withoutOrderingACompletionRunsAtOnce() {
    CompletionSequencer sequencer = new CompletionSequencer(false);
    sequencer.complete(5, () -> ran.add(5L));
    assertThat(ran).containsExactly(5L);
  }

  @Test
  void aThrowingCompletionDoesNotStopTheOnesBehindIt() {
    CompletionSequencer sequencer = new CompletionSequencer(true);
    sequencer.complete(1, () -> ran.add(1L));
    sequencer.complete(0, () -> {
      throw new IllegalStateException("callback bug");
    });
    assertThat(ran).containsExactly(1L);
  }
}
