package io.sluice.runtime;

import java.util.Arrays;
import java.util.List;

/**
 * What two requests must share to be executed as one batch: the same input names, datatypes and
 * dimensions after the batch dimension. It is computed once per request at enqueue (inputs
 * sorted by name, so the order a client sent them in does not matter), with its hash, so the
 * batcher's walk of the queue compares two small arrays instead of tensors.
 */
final class BatchKey {
  private final String[] names;
  private final DataType[] types;
  private final long[][] tails;
  private final int hash;

  private BatchKey(String[] names, DataType[] types, long[][] tails) {
    this.names = names;
    this.types = types;
    this.tails = tails;
    this.hash = 31 * (31 * Arrays.hashCode(names) + Arrays.hashCode(types))
        + Arrays.deepHashCode(tails);
  }

  /** The key of a request whose inputs all carry a batch dimension. */
  static BatchKey of(List<Tensor> inputs) {
    Tensor[] sorted = inputs.toArray(new Tensor[0]);
    Arrays.sort(sorted, (a, b) -> a.name().compareTo(b.name()));
    String[] names = new String[sorted.length];
    DataType[] types = new DataType[sorted.length];
    long[][] tails = new long[sorted.length][];
    for (int i = 0; i < sorted.length; i++) {
      long[] shape = sorted[i].shape();
      names[i] = sorted[i].name();
      types[i] = sorted[i].type();
      tails[i] = Arrays.copyOfRange(shape, 1, shape.length);
    }
    return new BatchKey(names, types, tails);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BatchKey k
        && hash == k.hash
        && Arrays.equals(names, k.names)
        && Arrays.equals(types, k.types)
        && Arrays.deepEquals(tails, k.tails);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("BatchKey{");
    for (int i = 0; i < names.length; i++) {
      b.append(i == 0 ? "" : ", ").append(names[i]).append(':').append(types[i])
          .append(Arrays.toString(tails[i]));
    }
    return b.append('}').toString();
  }
}
