package io.sluice.gateway.metrics;

import io.sluice.proto.inference.GrpcService.StatisticDuration;
import java.util.concurrent.atomic.LongAdder;

/** A count and a total of nanoseconds, as Triton's {@code StatisticDuration}; lock-free. */
final class Duration {
  private final LongAdder count = new LongAdder();
  private final LongAdder nanos = new LongAdder();

  void add(long durationNanos) {
    count.increment();
    nanos.add(durationNanos);
  }

  StatisticDuration toProto() {
    return StatisticDuration.newBuilder().setCount(count.sum()).setNs(nanos.sum()).build();
  }
}
