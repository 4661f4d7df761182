package io.sluice.gateway.model;

import io.sluice.gateway.request.RequestedOutput;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelInput;
import io.sluice.proto.inference.ModelConfigProto.ModelOutput;
import io.sluice.runtime.DataType;
import io.sluice.runtime.Status;
import io.sluice.runtime.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a request against one version's completed config, compiled once when the version
 * loads: every input present once, no unknown input, datatypes equal, shapes matching {@code
 * dims} (-1 matches anything) behind a batch dimension of 1..max_batch_size shared by every
 * input, requested outputs known and named once, a classification count above 0, and a priority
 * the model has. This is the one place those rules live and the one set of messages for them;
 * the scheduler and the engines trust what passed (they assert it in tests).
 *
 * <p>On the request path it allocates nothing for a valid request without requested outputs:
 * the inputs are found through a map built at load, and which were seen is a bit set in a long
 * (a version with more than 64 inputs uses an array).
 */
public final class RequestValidator {
  private final String model;
  private final int maxBatch;
  private final int priorityLevels;
  private final InputRule[] rules;
  private final Map<String, InputRule> byName;
  private final Set<String> outputNames;
  private final List<String> inputNameList;
  private final List<String> outputNameList;
  private final int required;
  /** The model's data-quality policy: NaN and ±inf inputs are a 400 ({@value #REJECT_NON_FINITE}). */
  private final boolean rejectNonFinite;

  /** The config parameter that turns the NaN/inf policy on ({@code string_value: "true"}). */
  public static final String REJECT_NON_FINITE = "sluice.reject_non_finite";

  private RequestValidator(String model, ModelConfig config) {
    this.model = model;
    this.rejectNonFinite = config.containsParameters(REJECT_NON_FINITE)
        && "true".equalsIgnoreCase(config.getParametersOrThrow(REJECT_NON_FINITE).getStringValue()
            .strip());
    this.maxBatch = config.getMaxBatchSize();
    this.priorityLevels = Math.max(Math.toIntExact(config.getDynamicBatching().getPriorityLevels()), 1);
    this.rules = new InputRule[config.getInputCount()];
    this.byName = new HashMap<>();
    int requiredCount = 0;
    for (int i = 0; i < rules.length; i++) {
      ModelInput in = config.getInput(i);
      rules[i] =
          new InputRule(
              i,
              in.getName(),
              DataTypes.fromConfig(in.getDataType()),
              in.getDimsList().stream().mapToLong(Long::longValue).toArray(),
              in.getOptional(),
              in.hasReshape());
      byName.put(in.getName(), rules[i]);
      if (!in.getOptional()) {
        requiredCount++;
      }
    }
    this.required = requiredCount;
    this.inputNameList = config.getInputList().stream().map(ModelInput::getName).toList();
    this.outputNameList = config.getOutputList().stream().map(ModelOutput::getName).toList();
    this.outputNames = Set.copyOf(outputNameList);
  }

  /** Compiles the rules of {@code config} (already completed by autofill). */
  public static RequestValidator compile(String model, ModelConfig config) {
    return new RequestValidator(model, config);
  }

  /**
   * Checks one request.
   *
   * @return the requested output names in the order asked, {@code Set.of()} when none were named
   * @throws io.sluice.runtime.StatusException INVALID_ARGUMENT with what was wrong and what was
   *     expected
   */
  public Set<String> validate(List<Tensor> inputs, List<RequestedOutput> outputs, int priority) {
    checkInputs(inputs);
    if (priority < 0 || priority > priorityLevels) {
      throw Status.invalidArgument(
              "priority: " + priority + " (expected: 0 for the default, or 1.." + priorityLevels
                  + ")")
          .asException();
    }
    return outputs.isEmpty() ? Set.of() : requestedOutputs(outputs);
  }

  private void checkInputs(List<Tensor> inputs) {
    long seen = 0;
    boolean[] seenWide = rules.length > 64 ? new boolean[rules.length] : null;
    long batch = -1;
    int requiredSeen = 0;
    for (int i = 0, n = inputs.size(); i < n; i++) {
      Tensor t = inputs.get(i);
      InputRule rule = byName.get(t.name());
      if (rule == null) {
        throw Status.invalidArgument(
                "unexpected inference input '" + t.name() + "' for model '" + model
                    + "' (expected: " + inputNameList + ")")
            .asException();
      }
      boolean twice;
      if (seenWide == null) {
        twice = (seen & (1L << rule.index)) != 0;
        seen |= 1L << rule.index;
      } else {
        twice = seenWide[rule.index];
        seenWide[rule.index] = true;
      }
      if (twice) {
        throw Status.invalidArgument(
                "input '" + t.name() + "' is given more than once for model '" + model + "'")
            .asException();
      }
      if (!rule.optional) {
        requiredSeen++;
      }
      batch = rule.check(t, batch);
      if (rejectNonFinite) {
        checkFinite(t);
      }
    }
    if (requiredSeen < required) {
      for (InputRule rule : rules) {
        boolean present = seenWide == null ? (seen & (1L << rule.index)) != 0 : seenWide[rule.index];
        if (!present && !rule.optional) {
          throw Status.invalidArgument(
                  "expected " + rules.length + " inputs but got " + inputs.size()
                      + " inputs for model '" + model + "': missing input '" + rule.name + "'")
              .asException();
        }
      }
    }
  }

  /** The first NaN or infinite element of a floating-point input is a 400 naming it. */
  private void checkFinite(Tensor t) {
    int n = (int) t.elementCount();
    java.nio.ByteBuffer b;
    switch (t.type()) {
      case FP32:
        b = t.data();
        for (int i = 0; i < n; i++) {
          if (!Float.isFinite(b.getFloat(i * 4))) {
            throw nonFinite(t, i, b.getFloat(i * 4));
          }
        }
        return;
      case FP64:
        b = t.data();
        for (int i = 0; i < n; i++) {
          if (!Double.isFinite(b.getDouble(i * 8))) {
            throw nonFinite(t, i, b.getDouble(i * 8));
          }
        }
        return;
      case FP16:
      case BF16:
        b = t.data();
        for (int i = 0; i < n; i++) {
          int bits = b.getShort(i * 2) & 0xffff;
          // all exponent bits set: inf or NaN, in both formats
          boolean fp16 = t.type() == DataType.FP16;
          boolean special = fp16 ? (bits & 0x7c00) == 0x7c00 : (bits & 0x7f80) == 0x7f80;
          if (special) {
            boolean nan = (bits & (fp16 ? 0x03ff : 0x007f)) != 0;
            throw nonFinite(t, i, nan ? Double.NaN
                : (bits & 0x8000) != 0 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
          }
        }
        return;
      default:
        return;
    }
  }

  private RuntimeException nonFinite(Tensor t, int index, double value) {
    return Status.invalidArgument(
            "input '" + t.name() + "' element " + index + " is " + value + " (expected: finite"
                + " values; model '" + model + "' rejects NaN and inf, parameter "
                + REJECT_NON_FINITE + ")")
        .asException();
  }

  private Set<String> requestedOutputs(List<RequestedOutput> outputs) {
    Set<String> names = new LinkedHashSet<>();
    for (RequestedOutput o : outputs) {
      if (!outputNames.contains(o.name())) {
        throw Status.invalidArgument(
                "unexpected inference output '" + o.name() + "' for model '" + model
                    + "' (expected: " + outputNameList + ")")
            .asException();
      }
      if (o.classificationCount() < 0) {
        throw Status.invalidArgument(
                "classification count " + o.classificationCount() + " of output '" + o.name()
                    + "' (expected: > 0)")
            .asException();
      }
      if (!names.add(o.name())) {
        throw Status.invalidArgument("output '" + o.name() + "' is requested more than once")
            .asException();
      }
    }
    return names;
  }

  /** One input's compiled rule. */
  private final class InputRule {
    final int index;
    final String name;
    final DataType type;
    final long[] dims;
    final boolean optional;
    final boolean reshaped;

    InputRule(int index, String name, DataType type, long[] dims, boolean optional,
        boolean reshaped) {
      this.index = index;
      this.name = name;
      this.type = type;
      this.dims = dims;
      this.optional = optional;
      this.reshaped = reshaped;
    }

    /** Checks one tensor; returns the batch size seen so far (-1 without batching). */
    long check(Tensor t, long batch) {
      if (t.type() != type) {
        throw Status.invalidArgument(
                "input '" + name + "' of model '" + model + "' has datatype " + t.type()
                    + " (expected: " + type + ")")
            .asException();
      }
      int offset = 0;
      if (maxBatch > 0) {
        if (t.rank() == 0) {
          throw Status.invalidArgument(
                  "input '" + name + "' of model '" + model
                      + "' has no batch dimension (expected: shape [batch"
                      + (reshaped ? "" : dimsSuffix()) + "])")
              .asException();
        }
        long b = t.dim(0);
        if (b < 1 || b > maxBatch) {
          throw Status.invalidArgument(
                  "input '" + name + "' of model '" + model + "' has batch size " + b
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
      if (!reshaped && !matches(t, offset)) {
        throw Status.invalidArgument(
                "input '" + name + "' of model '" + model + "' has shape "
                    + Arrays.toString(t.shape()) + " (expected: "
                    + (maxBatch > 0 ? "[batch" + dimsSuffix() + "]" : Arrays.toString(dims))
                    + ")")
            .asException();
      }
      return batch;
    }

    // Reads the tensor's dims in place: no array per request on the hot path.
    private boolean matches(Tensor t, int offset) {
      if (t.rank() - offset != dims.length) {
        return false;
      }
      for (int i = 0; i < dims.length; i++) {
        if (dims[i] >= 0 && dims[i] != t.dim(offset + i)) {
          return false;
        }
      }
      return true;
    }

    private String dimsSuffix() {
      StringBuilder s = new StringBuilder();
      for (long d : dims) {
        s.append(", ").append(d);
      }
      return s.toString();
    }
  }
}
