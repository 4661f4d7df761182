package io.sluice.runtime.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.sluice.runtime.DataType;
import io.sluice.runtime.ModelSignature;
import io.sluice.runtime.Status;
import io.sluice.runtime.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a session's inputs and outputs as a {@link ModelSignature}, in the order the graph
 * declares them. Symbolic and unknown dimensions become -1. An input the V2 protocol cannot
 * express (a sequence, a map, a complex number) makes the model unservable, so loading fails;
 * such an output (scikit-learn's ZipMap, say) is left out of the signature and never computed,
 * and the rest of the model still serves.
 */
final class OnnxSignatures {
  private static final Logger logger = LoggerFactory.getLogger(OnnxSignatures.class);

  private OnnxSignatures() {}

  static ModelSignature read(OrtSession session) throws OrtException {
    List<TensorSpec> inputs = new ArrayList<>();
    for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
      TensorSpec spec = spec(e.getValue());
      if (spec == null) {
        throw Status.internal(
                "input '" + e.getKey() + "' is " + e.getValue().getInfo()
                    + ", which has no V2 datatype (expected: a tensor of a V2 type)")
            .asException();
      }
      inputs.add(spec);
    }
    List<TensorSpec> outputs = new ArrayList<>();
    for (Map.Entry<String, NodeInfo> e : session.getOutputInfo().entrySet()) {
      TensorSpec spec = spec(e.getValue());
      if (spec == null) {
        logger.warn("output '{}' is {}, which has no V2 datatype; it will not be served",
            e.getKey(), e.getValue().getInfo());
        continue;
      }
      outputs.add(spec);
    }
    return new ModelSignature(inputs, outputs);
  }

  private static TensorSpec spec(NodeInfo node) {
    if (!(node.getInfo() instanceof TensorInfo info)) {
      return null;
    }
    DataType type = OnnxTypes.toDataType(info.onnxType);
    if (type == null) {
      return null;
    }
    long[] shape = info.getShape();
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0) {
        shape[i] = -1;
      }
    }
    return new TensorSpec(node.getName(), type, shape);
  }
}
