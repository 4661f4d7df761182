package io.sluice.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

class SchedulersTest {

  @Test
  void instanceThreadsAreNamedDaemonsAtTheLowestPriority() {
    ThreadFactory threads = Schedulers.daemonThreads("sluice-m-1-instance-");

    Thread first = threads.newThread(() -> {});
    Thread second = threads.newThread(() -> {});

    assertThat(first.getName()).isEqualTo("sluice-m-1-instance-0");
    assertThat(second.getName()).isEqualTo("sluice-m-1-instance-1");
    assertThat(first.isDaemon()).isTrue();
    assertThat(first.getPriority()).as("below the event loops, which keep the default")
        .isEqualTo(Thread.MIN_PRIORITY);
  }
}
