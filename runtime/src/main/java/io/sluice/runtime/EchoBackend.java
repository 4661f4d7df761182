package io.sluice.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in engine that does no compute: it answers every run with zero-filled outputs of the
 * real model's shapes and sizes. The benchmark serves a model through it to measure Sluice's own
 * transport ceiling (decode, queue, encode) with the engine taken out. Outputs for one batch size
 * are allocated once and shared read-only, so the stand-in costs next to nothing per call.
 */
public final class EchoBackend implements Backend {
  private final ModelSignature signature;
  private final ConcurrentHashMap<Long, List<Tensor>> byBatch = new ConcurrentHashMap<>();

  /** @param signature the real model's signature, as its own backend reported it */
  public EchoBackend(ModelSignature signature) {
    this.signature = signature;
  }

  @Override
  public ModelSignature signature() {
    return signature;
  }

  @Override
  public List<Tensor> run(List<Tensor> inputs, Set<String> outputs) {
    long batch = inputs.isEmpty() || inputs.get(0).rank() == 0 ? 1 : inputs.get(0).dim(0);
    List<Tensor> all = byBatch.computeIfAbsent(batch, this::zeros);
    if (outputs.isEmpty()) {
      return all;
    }
    List<Tensor> picked = new ArrayList<>(outputs.size());
    for (Tensor t : all) {
      if (outputs.contains(t.name())) {
        picked.add(t);
      }
    }
    return picked;
  }

  private List<Tensor> zeros(long batch) {
    List<Tensor> out = new ArrayList<>();
    for (TensorSpec spec : signature.outputs()) {
      long[] shape = spec.shape();
      for (int i = 0; i < shape.length; i++) {
        if (shape[i] < 0) {
          shape[i] = i == 0 ? batch : 1;
        }
      }
      int count = Math.toIntExact(Tensor.elementCount(shape));
      if (spec.type() == DataType.BYTES) {
        List<byte[]> empty = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          empty.add(new byte[0]);
        }
        out.add(Tensor.ofBytes(spec.name(), shape, empty));
      } else {
        ByteBuffer data =
            ByteBuffer.allocateDirect(count * spec.type().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        out.add(Tensor.of(spec.name(), spec.type(), shape, data));
      }
    }
    return List.copyOf(out);
  }

  @Override
  public void close() {
    byBatch.clear();
  }
}
