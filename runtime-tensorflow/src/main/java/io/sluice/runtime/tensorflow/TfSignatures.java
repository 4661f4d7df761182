package io.sluice.runtime.tensorflow;

import io.sluice.runtime.DataType;
import io.sluice.runtime.ModelSignature;
import io.sluice.runtime.Status;
import io.sluice.runtime.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a SavedModel signature as a {@link ModelSignature}. Tensors are named by their signature
 * keys (what a TF Serving or Triton client sends), not by graph node names, and listed in key
 * order, since a signature's maps have none of their own. Unknown dimensions become -1. An input
 * of unknown rank or of a type V2 cannot express makes the model unservable, so loading fails;
 * such an output is left out and the rest of the model still serves.
 */
final class TfSignatures {
  private static final Logger logger = LoggerFactory.getLogger(TfSignatures.class);

  private TfSignatures() {}

  static ModelSignature read(Signature signature) {
    List<TensorSpec> inputs = new ArrayList<>();
    for (Map.Entry<String, Signature.TensorDescription> e :
        new TreeMap<>(signature.getInputs()).entrySet()) {
      TensorSpec spec = spec(e.getKey(), e.getValue());
      if (spec == null) {
        throw Status.internal(
                "input '" + e.getKey() + "' is " + e.getValue().dataType + " "
                    + e.getValue().shape + ", which V2 cannot express (expected: a tensor of"
                    + " known rank and a V2 type)")
            .asException();
      }
      inputs.add(spec);
    }
    List<TensorSpec> outputs = new ArrayList<>();
    for (Map.Entry<String, Signature.TensorDescription> e :
        new TreeMap<>(signature.getOutputs()).entrySet()) {
      TensorSpec spec = spec(e.getKey(), e.getValue());
      if (spec == null) {
        logger.warn("output '{}' is {} {}, which V2 cannot express; it will not be served",
            e.getKey(), e.getValue().dataType, e.getValue().shape);
        continue;
      }
      outputs.add(spec);
    }
    return new ModelSignature(inputs, outputs);
  }

  private static TensorSpec spec(String name, Signature.TensorDescription d) {
    DataType type = TfTypes.toDataType(d.dataType);
    Shape shape = d.shape;
    if (type == null || shape == null || shape.isUnknown()) {
      return null;
    }
    long[] dims = shape.asArray();
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0) {
        dims[i] = -1;
      }
    }
    return new TensorSpec(name, type, dims);
  }
}
