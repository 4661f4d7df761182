package io.sluice.gateway.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/**
 * The fuzz run's leak check checks: this JVM runs Netty's paranoid leak detection with {@link
 * LeakRecorder}, and a buffer dropped without a release is reported, so a leak in a fuzz target
 * fails it rather than scrolling by in a log.
 */
class LeakDetectionFuzzTest {

  @Test
  void aDroppedBufferIsRecordedAsALeak() {
    assertThat(LeakRecorder.installed())
        .as("-Dio.netty.customResourceLeakDetector=LeakRecorder and paranoid level").isTrue();
    LeakRecorder.collect();
    leakOne();
    assertThat(LeakRecorder.collect()).anySatisfy(leak -> assertThat(leak).contains("leaked"));
    assertThat(LeakRecorder.collect()).isEmpty();
  }

  private static void leakOne() {
    ByteBuf leaked = UnpooledByteBufAllocator.DEFAULT.directBuffer(64);
    leaked.writeLong(42);
  }
}
