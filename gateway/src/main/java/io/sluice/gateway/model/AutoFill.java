package io.sluice.gateway.model;

import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelDynamicBatching;
import io.sluice.proto.inference.ModelConfigProto.ModelInput;
import io.sluice.proto.inference.ModelConfigProto.ModelInstanceGroup;
import io.sluice.proto.inference.ModelConfigProto.ModelOutput;
import io.sluice.proto.inference.ModelConfigProto.ModelVersionPolicy;
import io.sluice.runtime.BackendProvider;
import io.sluice.runtime.ModelSignature;
import io.sluice.runtime.Status;
import io.sluice.runtime.TensorSpec;
import java.util.Arrays;
import java.util.List;

/**
 * Completes a model's config from what the engine reports, as Triton's ONNX Runtime autofill
 * does: the name from the folder, the platform, every input and output missing from the config
 * (name, type, dims), and batching when the config says nothing about it.
 *
 * <p>A model can batch when every input and output has a variable first dimension. Then, if the
 * config leaves {@code max_batch_size} at 0 and declares no inputs or outputs, it becomes {@code
 * defaultMaxBatchSize} and {@code dynamic_batching {}} is switched on (Triton does both). Dims in
 * the config never include the batch dimension when {@code max_batch_size > 0}. An empty
 * {@code preferred_batch_size} becomes {@code [max_batch_size]}, as Triton normalizes it.
 */
final class AutoFill {
  private final int defaultMaxBatchSize;

  AutoFill(int defaultMaxBatchSize) {
    if (defaultMaxBatchSize < 0) {
      throw new IllegalArgumentException(
          "defaultMaxBatchSize: " + defaultMaxBatchSize + " (expected: >= 0)");
    }
    this.defaultMaxBatchSize = defaultMaxBatchSize;
  }

  ModelConfig complete(
      String name, ModelConfig given, ModelSignature signature, BackendProvider engine) {
    ModelConfig.Builder b = given.toBuilder();
    if (b.getName().isEmpty()) {
      b.setName(name);
    }
    if (b.getPlatform().isEmpty() && b.getBackend().isEmpty()) {
      b.setPlatform(engine.platform());
    }
    if (b.getBackend().isEmpty() && engine.platform().equals(b.getPlatform())) {
      b.setBackend(engine.backend());
    }
    boolean canBatch =
        signature.inputs().stream().allMatch(TensorSpec::hasDynamicFirstDim)
            && signature.outputs().stream().allMatch(TensorSpec::hasDynamicFirstDim);
    boolean userSpecifiedTensors = given.getInputCount() > 0 || given.getOutputCount() > 0;
    if (given.getMaxBatchSize() == 0 && canBatch && !userSpecifiedTensors
        && defaultMaxBatchSize > 0) {
      b.setMaxBatchSize(defaultMaxBatchSize);
      if (!given.hasDynamicBatching() && !given.hasSequenceBatching()
          && defaultMaxBatchSize > 1) {
        b.setDynamicBatching(ModelDynamicBatching.getDefaultInstance());
      }
    }
    if (b.getMaxBatchSize() > 0 && !canBatch) {
      throw Status.invalidArgument(
              "model '" + name + "': max_batch_size " + b.getMaxBatchSize()
                  + " needs a variable first dimension on every input and output, but the model"
                  + " has inputs " + signature.inputs() + " and outputs " + signature.outputs())
          .asException();
    }
    boolean batched = b.getMaxBatchSize() > 0;
    if (batched && b.hasDynamicBatching()
        && b.getDynamicBatching().getPreferredBatchSizeCount() == 0) {
      // Triton normalizes an empty list to the max batch size and prints it in the config.
      b.getDynamicBatchingBuilder().addPreferredBatchSize(b.getMaxBatchSize());
    }

    for (TensorSpec in : signature.inputs()) {
      int i = indexOfInput(b, in.name());
      if (i < 0) {
        b.addInput(
            ModelInput.newBuilder()
                .setName(in.name())
                .setDataType(DataTypes.toConfig(in.type()))
                .addAllDims(configDims(in, batched)));
      } else {
        ModelInput.Builder ib = b.getInputBuilder(i);
        if (ib.getDataTypeValue() == 0) {
          ib.setDataType(DataTypes.toConfig(in.type()));
        }
        if (ib.getDimsCount() == 0 && !ib.hasReshape()) {
          ib.addAllDims(configDims(in, batched));
        }
      }
    }
    for (TensorSpec out : signature.outputs()) {
      int i = indexOfOutput(b, out.name());
      if (i < 0) {
        b.addOutput(
            ModelOutput.newBuilder()
                .setName(out.name())
                .setDataType(DataTypes.toConfig(out.type()))
                .addAllDims(configDims(out, batched)));
      } else {
        ModelOutput.Builder ob = b.getOutputBuilder(i);
        if (ob.getDataTypeValue() == 0) {
          ob.setDataType(DataTypes.toConfig(out.type()));
        }
        if (ob.getDimsCount() == 0 && !ob.hasReshape()) {
          ob.addAllDims(configDims(out, batched));
        }
      }
    }
    for (ModelInput in : b.getInputList()) {
      if (signature.input(in.getName()).isEmpty()) {
        throw Status.invalidArgument(
                "model '" + name + "': config input '" + in.getName()
                    + "' is not an input of the model (expected one of "
                    + signature.inputs().stream().map(TensorSpec::name).toList() + ")")
            .asException();
      }
    }
    for (ModelOutput out : b.getOutputList()) {
      if (signature.output(out.getName()).isEmpty()) {
        throw Status.invalidArgument(
                "model '" + name + "': config output '" + out.getName()
                    + "' is not an output of the model (expected one of "
                    + signature.outputs().stream().map(TensorSpec::name).toList() + ")")
            .asException();
      }
    }
    if (b.getInstanceGroupCount() == 0) {
      b.addInstanceGroup(
          ModelInstanceGroup.newBuilder()
              .setName(b.getName())
              .setKind(ModelInstanceGroup.Kind.KIND_CPU)
              .setCount(1));
    }
    if (!b.hasVersionPolicy()) {
      b.setVersionPolicy(
          ModelVersionPolicy.newBuilder()
              .setLatest(ModelVersionPolicy.Latest.newBuilder().setNumVersions(1)));
    }
    return b.build();
  }

  private static List<Long> configDims(TensorSpec spec, boolean batched) {
    long[] shape = spec.shape();
    long[] dims = batched ? Arrays.copyOfRange(shape, 1, shape.length) : shape;
    return Arrays.stream(dims).boxed().toList();
  }

  private static int indexOfInput(ModelConfig.Builder b, String name) {
    for (int i = 0; i < b.getInputCount(); i++) {
      if (b.getInput(i).getName().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private static int indexOfOutput(ModelConfig.Builder b, String name) {
    for (int i = 0; i < b.getOutputCount(); i++) {
      if (b.getOutput(i).getName().equals(name)) {
        return i;
      }
    }
    return -1;
  }
}
