package io.sluice.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class BufferPoolTest {
  private final BufferPool pool = new BufferPool(1);

  @Test
  void aBufferIsDirectLittleEndianAndLimitedToTheRequestedSize() {
    ByteBuffer b = pool.acquire(100);
    assertThat(b.isDirect()).isTrue();
    assertThat(b.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
    assertThat(b.position()).isZero();
    assertThat(b.limit()).isEqualTo(100);
    assertThat(b.capacity()).isEqualTo(BufferPool.MIN_CLASS_BYTES);
    pool.release(b);
  }

  @Test
  void aReleasedBufferIsReusedForTheSameCapacityClass() {
    ByteBuffer first = pool.acquire(5000);
    assertThat(first.capacity()).isEqualTo(8192);
    pool.release(first);
    ByteBuffer second = pool.acquire(8000);
    assertThat(second).isSameAs(first);
    assertThat(second.limit()).isEqualTo(8000);
    pool.release(second);
  }

  @Test
  void onlyAFewBuffersAreKeptPerClassAndLeasesAreCounted() {
    ByteBuffer a = pool.acquire(10);
    ByteBuffer b = pool.acquire(10);
    assertThat(pool.leased()).isEqualTo(2);
    pool.release(a);
    pool.release(b);
    assertThat(pool.leased()).isZero();
    assertThat(pool.pooled()).isEqualTo(1);
  }
}
