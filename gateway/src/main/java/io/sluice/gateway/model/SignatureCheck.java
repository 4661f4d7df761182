package io.sluice.gateway.model;

import io.sluice.registry.DeclaredSignature;
import io.sluice.runtime.DataType;
import io.sluice.runtime.ModelSignature;
import io.sluice.runtime.Status;
import io.sluice.runtime.TensorSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a graph against the signature its registry declares (MLflow's {@code MLmodel}): the same
 * number of inputs and outputs, each declared tensor found (by name, or by position when the
 * registry recorded none), the same element type and rank, and every dimension both fix equal. A
 * mismatch refuses the version with a reason naming the tensor; the version before it serves on.
 */
final class SignatureCheck {
  // numpy's names, as MLflow writes them, to the runtime's types.
  private static final Map<String, DataType> NUMPY = Map.ofEntries(
      Map.entry("bool", DataType.BOOL), Map.entry("uint8", DataType.UINT8),
      Map.entry("uint16", DataType.UINT16), Map.entry("uint32", DataType.UINT32),
      Map.entry("uint64", DataType.UINT64), Map.entry("int8", DataType.INT8),
      Map.entry("int16", DataType.INT16), Map.entry("int32", DataType.INT32),
      Map.entry("int64", DataType.INT64), Map.entry("float16", DataType.FP16),
      Map.entry("float32", DataType.FP32), Map.entry("float64", DataType.FP64),
      Map.entry("str", DataType.BYTES), Map.entry("bytes", DataType.BYTES),
      Map.entry("object", DataType.BYTES));

  private SignatureCheck() {}

  /** @throws io.sluice.runtime.StatusException INVALID_ARGUMENT naming the first mismatch */
  static void check(String model, DeclaredSignature declared, ModelSignature graph) {
    side(model, "input", declared.inputs(), graph.inputs());
    side(model, "output", declared.outputs(), graph.outputs());
  }

  private static void side(String model, String side, List<DeclaredSignature.Tensor> declared,
      List<TensorSpec> graph) {
    if (declared.isEmpty()) {
      return; // MLflow allows a signature with inputs only
    }
    if (declared.size() != graph.size()) {
      throw mismatch(model, declared.size() + " " + side + "s declared " + declared
          + " but the graph has " + graph.size() + " " + graph);
    }
    for (int i = 0; i < declared.size(); i++) {
      DeclaredSignature.Tensor d = declared.get(i);
      int index = i;
      Optional<TensorSpec> g = d.name().isPresent()
          ? graph.stream().filter(t -> t.name().equals(d.name().get())).findFirst()
          : Optional.of(graph.get(index));
      if (g.isEmpty()) {
        throw mismatch(model, side + " '" + d.name().get() + "' declared, but the graph's "
            + side + "s are " + graph.stream().map(TensorSpec::name).toList());
      }
      TensorSpec t = g.get();
      DataType type = NUMPY.get(d.dtype());
      if (type == null || type != t.type()) {
        throw mismatch(model, side + " '" + t.name() + "' declared " + d.dtype()
            + " but the graph takes " + t.type());
      }
      long[] ds = d.shape();
      long[] gs = t.shape();
      boolean ok = ds.length == gs.length;
      for (int k = 0; ok && k < ds.length; k++) {
        ok = ds[k] < 0 || gs[k] < 0 || ds[k] == gs[k];
      }
      if (!ok) {
        throw mismatch(model, side + " '" + t.name() + "' declared shape "
            + java.util.Arrays.toString(ds) + " but the graph has " + java.util.Arrays.toString(gs));
      }
    }
  }

  private static RuntimeException mismatch(String model, String what) {
    return Status.invalidArgument("model '" + model + "': the graph does not match the"
        + " registry's signature: " + what).asException();
  }
}
