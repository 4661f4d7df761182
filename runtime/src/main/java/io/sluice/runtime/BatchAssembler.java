package io.sluice.runtime;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the requests of one batch into the backend's inputs. A batch of one request passes its
 * tensors through untouched, so the backend reads the very buffer the transport decoded (zero
 * copy). Otherwise each input is concatenated along dimension 0 into one pooled direct buffer,
 * copying each request's bytes exactly once; {@link DataType#BYTES} inputs concatenate their
 * length-prefixed elements, which is the same byte-level append. All requests of a batch share a
 * {@link BatchKey}, so names, datatypes and the dimensions after the first already agree.
 */
final class BatchAssembler {
  private final BufferPool pool;

  BatchAssembler(BufferPool pool) {
    this.pool = pool;
  }

  /** The backend inputs of a batch, and the pooled buffers behind them. */
  static final class Inputs implements AutoCloseable {
    private final List<Tensor> tensors;
    private final List<ByteBuffer> leases;
    private final BufferPool pool;

    Inputs(List<Tensor> tensors, List<ByteBuffer> leases, BufferPool pool) {
      this.tensors = tensors;
      this.leases = leases;
      this.pool = pool;
    }

    List<Tensor> tensors() {
      return tensors;
    }

    /** Returns the pooled buffers; the tensors must not be read afterwards. */
    @Override
    public void close() {
      for (ByteBuffer b : leases) {
        pool.release(b);
      }
      leases.clear();
    }
  }

  Inputs assemble(List<PendingRequest> batch) {
    List<Tensor> first = batch.get(0).request.inputs();
    if (batch.size() == 1) {
      return new Inputs(first, new ArrayList<>(0), pool);
    }
    List<Tensor> tensors = new ArrayList<>(first.size());
    List<ByteBuffer> leases = new ArrayList<>(first.size());
    Inputs inputs = new Inputs(tensors, leases, pool);
    try {
      for (Tensor head : first) {
        long rows = 0;
        long bytes = 0;
        for (PendingRequest p : batch) {
          Tensor t = input(p, head.name());
          rows += t.dim(0);
          bytes += t.byteSize();
        }
        if (bytes > Integer.MAX_VALUE - 8) {
          throw Status.invalidArgument(
                  "input '" + head.name() + "': batch of " + bytes + " bytes is too large"
                      + " (expected: < 2 GiB per input)")
              .asException();
        }
        ByteBuffer buf = pool.acquire((int) bytes);
        leases.add(buf);
        for (PendingRequest p : batch) {
          buf.put(input(p, head.name()).data());
        }
        buf.flip();
        long[] shape = head.shape();
        shape[0] = rows;
        tensors.add(Tensor.of(head.name(), head.type(), shape, buf));
      }
      return inputs;
    } catch (RuntimeException e) {
      inputs.close();
      throw e;
    }
  }

  private static Tensor input(PendingRequest p, String name) {
    for (Tensor t : p.request.inputs()) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    // Unreachable while every request in a batch has the same BatchKey.
    throw Status.internal("request in batch lacks input '" + name + "'").asException();
  }
}
