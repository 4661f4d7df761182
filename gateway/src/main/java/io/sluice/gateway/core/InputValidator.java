package io.sluice.gateway.core;

import io.sluice.gateway.model.DataTypes;
import io.sluice.gateway.model.LoadedVersion;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelInput;
import io.sluice.runtime.DataType;
import io.sluice.runtime.Status;
import io.sluice.runtime.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a request against a version's config before it is queued: every input present once,
 * no unknown input, datatypes equal, shapes matching {@code dims} (-1 matches anything) behind a
 * batch dimension of 1..max_batch_size shared by every input. Each failure says what was wrong and
 * what was expected.
 */
final class InputValidator {
  private InputValidator() {}

  static void validate(LoadedVersion version, List<Tensor> inputs) {
    ModelConfig config = version.config();
    String model = version.name();
    Map<String, Tensor> byName = new HashMap<>();
    for (Tensor t : inputs) {
      if (byName.put(t.name(), t) != null) {
        throw Status.invalidArgument(
                "input '" + t.name() + "' is given more than once for model '" + model + "'")
            .asException();
      }
      if (config.getInputList().stream().noneMatch(i -> i.getName().equals(t.name()))) {
        throw Status.invalidArgument(
                "unexpected inference input '" + t.name() + "' for model '" + model
                    + "' (expected: " + config.getInputList().stream().map(ModelInput::getName).toList()
                    + ")")
            .asException();
      }
    }
    int maxBatch = config.getMaxBatchSize();
    long batch = -1;
    for (ModelInput spec : config.getInputList()) {
      Tensor t = byName.get(spec.getName());
      if (t == null) {
        if (spec.getOptional()) {
          continue;
        }
        throw Status.invalidArgument(
                "expected " + config.getInputCount() + " inputs but got " + inputs.size()
                    + " inputs for model '" + model + "': missing input '" + spec.getName() + "'")
            .asException();
      }
      DataType expected = DataTypes.fromConfig(spec.getDataType());
      if (t.type() != expected) {
        throw Status.invalidArgument(
                "input '" + t.name() + "' of model '" + model + "' has datatype " + t.type()
                    + " (expected: " + expected + ")")
            .asException();
      }
      long[] shape = t.shape();
      int offset = 0;
      if (maxBatch > 0) {
        if (shape.length == 0) {
          throw Status.invalidArgument(
                  "input '" + t.name() + "' of model '" + model
                      + "' has no batch dimension (expected: shape [batch"
                      + (spec.hasReshape() ? "" : dimsSuffix(dims(spec))) + "])")
              .asException();
        }
        long b = shape[0];
        if (b < 1 || b > maxBatch) {
          throw Status.invalidArgument(
                  "input '" + t.name() + "' of model '" + model + "' has batch size " + b
                      + " (expected: 1.." + maxBatch + ")")
              .asException();
        }
        if (batch >= 0 && b != batch) {
          throw Status.invalidArgument(
                  "inputs of model '" + model + "' have different batch sizes " + batch + " and "
                      + b)
              .asException();
        }
        batch = b;
        offset = 1;
      }
      if (!spec.hasReshape() && !matches(shape, offset, spec)) {
        long[] dims = dims(spec);
        throw Status.invalidArgument(
                "input '" + t.name() + "' of model '" + model + "' has shape "
                    + Arrays.toString(shape) + " (expected: "
                    + (maxBatch > 0 ? "[batch" + dimsSuffix(dims) + "]" : Arrays.toString(dims))
                    + ")")
            .asException();
      }
    }
  }

  // Reads the config's dims in place: no array per request on the hot path.
  private static boolean matches(long[] shape, int offset, ModelInput spec) {
    int n = spec.getDimsCount();
    if (shape.length - offset != n) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      long d = spec.getDims(i);
      if (d >= 0 && d != shape[offset + i]) {
        return false;
      }
    }
    return true;
  }

  private static long[] dims(ModelInput spec) {
    return spec.getDimsList().stream().mapToLong(Long::longValue).toArray();
  }

  private static String dimsSuffix(long[] dims) {
    StringBuilder s = new StringBuilder();
    for (long d : dims) {
      s.append(", ").append(d);
    }
    return s.toString();
  }
}
