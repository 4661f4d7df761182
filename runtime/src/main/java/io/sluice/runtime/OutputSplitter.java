package io.sluice.runtime;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Gives each request of a batch its share of the backend's outputs, without copying: a request's
 * rows of an output are a {@link ByteBuffer#slice(int, int)} of the batch output. Fixed-size
 * outputs split at multiples of the row size; {@link DataType#BYTES} outputs are walked once
 * through their length prefixes to find where each request's elements end. Every output of a
 * batch of several requests must carry the batch dimension (dim 0 equal to the batch size);
 * one that does not cannot be split, which is a model/config mismatch and fails the batch with
 * INTERNAL. Each request then keeps only the outputs it asked for, in the backend's order.
 */
final class OutputSplitter {
  private OutputSplitter() {}

  /**
   * @param outputs the backend's outputs for the whole batch, in signature order
   * @param batch the requests, in batch order
   * @return one list of outputs per request, in the same order as {@code batch}
   */
  static List<List<Tensor>> split(List<Tensor> outputs, List<PendingRequest> batch) {
    int n = batch.size();
    List<List<Tensor>> result = new ArrayList<>(n);
    if (n == 1) {
      result.add(select(outputs, batch.get(0).request.requestedOutputs()));
      return result;
    }
    long total = 0;
    for (PendingRequest p : batch) {
      total += p.batchSize;
    }
    List<Tensor[]> perRequest = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      perRequest.add(new Tensor[outputs.size()]);
    }
    for (int o = 0; o < outputs.size(); o++) {
      Tensor out = outputs.get(o);
      if (out.rank() == 0 || out.dim(0) != total) {
        throw Status.internal(
                "output '" + out.name() + "' has shape " + Arrays.toString(out.shape())
                    + ", which has no batch dimension of size " + total
                    + " to split between " + n + " requests (expected: dim 0 = " + total + ")")
            .asException();
      }
      splitOne(out, batch, o, perRequest);
    }
    for (int i = 0; i < n; i++) {
      result.add(select(Arrays.asList(perRequest.get(i)), batch.get(i).request.requestedOutputs()));
    }
    return result;
  }

  private static void splitOne(
      Tensor out, List<PendingRequest> batch, int index, List<Tensor[]> perRequest) {
    ByteBuffer data = out.data();
    long[] shape = out.shape();
    long rowElements = 1;
    for (int d = 1; d < shape.length; d++) {
      rowElements *= shape[d];
    }
    int offset = 0;
    for (int i = 0; i < batch.size(); i++) {
      int rows = batch.get(i).batchSize;
      int length;
      if (out.type().isFixedSize()) {
        length = Math.toIntExact(rows * rowElements * out.type().byteSize());
      } else {
        length = bytesLength(data, offset, rows * rowElements);
      }
      long[] part = shape.clone();
      part[0] = rows;
      perRequest.get(i)[index] =
          Tensor.of(out.name(), out.type(), part, data.slice(offset, length));
      offset += length;
    }
  }

  /** Bytes taken by {@code elements} length-prefixed elements starting at {@code offset}. */
  private static int bytesLength(ByteBuffer data, int offset, long elements) {
    int pos = offset;
    for (long e = 0; e < elements; e++) {
      pos += 4 + data.getInt(pos);
    }
    return pos - offset;
  }

  private static List<Tensor> select(List<Tensor> outputs, Set<String> requested) {
    if (requested.isEmpty()) {
      return outputs;
    }
    List<Tensor> mine = new ArrayList<>(requested.size());
    for (Tensor t : outputs) {
      if (requested.contains(t.name())) {
        mine.add(t);
      }
    }
    return mine;
  }
}
