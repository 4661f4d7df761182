package io.sluice.gateway.model;

import io.sluice.proto.inference.ModelConfigProto.ModelWarmup;
import io.sluice.registry.ContainedPath;
import io.sluice.registry.RepositoryException;
import io.sluice.runtime.DataType;
import io.sluice.runtime.InferenceRequest;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import io.sluice.runtime.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionException;

/**
 * Runs a version's {@code model_warmup} requests before it is published: a version is READY only
 * once every warm-up succeeded. Runs on the lifecycle thread, where waiting is allowed.
 */
final class Warmup {
  private Warmup() {}

  static void run(LoadedVersion version, Path modelDir) {
    for (ModelWarmup w : version.config().getModelWarmupList()) {
      int batch = Math.max(1, w.getBatchSize());
      List<Tensor> inputs = new ArrayList<>();
      for (Map.Entry<String, ModelWarmup.Input> e : w.getInputsMap().entrySet()) {
        inputs.add(input(e.getKey(), e.getValue(), batch, version, modelDir));
      }
      // A warm-up is a request like any other: it passes the version's validator first (the
      // scheduler trusts what did), so a warm-up that does not fit the model is a load error.
      try {
        version.validator().validate(inputs, List.of(), 0);
      } catch (StatusException e) {
        throw Status.invalidArgument("model_warmup '" + w.getName() + "': "
                + e.status().description())
            .asException();
      }
      int repeats = Math.max(1, w.getCount());
      for (int i = 0; i < repeats; i++) {
        try {
          version.scheduler().enqueue(InferenceRequest.of(inputs)).join();
        } catch (CompletionException e) {
          Status s = Status.fromThrowable(e.getCause());
          // The configuration asked for this warm-up: its failure fails the load (INVALID_ARGUMENT,
          // as every load failure), with the engine's reason; a fault is still "internal error".
          throw Status.of(s.code() == Status.Code.INTERNAL ? Status.Code.INTERNAL
                      : Status.Code.INVALID_ARGUMENT,
                  "warm-up '" + w.getName() + "' failed: " + s.description())
              .withCause(s.cause())
              .asException();
        }
      }
    }
  }

  /**
   * One request of zeros (batch 1, variable dimensions 1) through every input of the completed
   * config, for a version that names no {@code model_warmup}.
   */
  static void runFromSignature(LoadedVersion version) {
    List<Tensor> inputs = new ArrayList<>();
    boolean batched = version.config().getMaxBatchSize() > 0;
    for (var in : version.config().getInputList()) {
      List<Long> dims = new ArrayList<>();
      if (batched) {
        dims.add(1L);
      }
      for (long d : in.getDimsList()) {
        dims.add(d < 0 ? 1L : d);
      }
      long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
      DataType type = DataTypes.fromConfig(in.getDataType());
      int count = Math.toIntExact(Tensor.elementCount(shape));
      if (type == DataType.BYTES) {
        List<byte[]> elements = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          elements.add(new byte[0]);
        }
        inputs.add(Tensor.ofBytes(in.getName(), shape, elements));
      } else {
        ByteBuffer data =
            ByteBuffer.allocateDirect(count * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        inputs.add(Tensor.of(in.getName(), type, shape, data));
      }
    }
    try {
      version.scheduler().enqueue(InferenceRequest.of(inputs)).join();
    } catch (CompletionException e) {
      Status s = Status.fromThrowable(e.getCause());
      throw Status.internal("warm-up from the signature failed: " + s.description())
          .asException();
    }
  }

  private static Tensor input(
      String name, ModelWarmup.Input spec, int batch, LoadedVersion version, Path modelDir) {
    DataType type = DataTypes.fromConfig(spec.getDataType());
    List<Long> dims = new ArrayList<>();
    if (version.config().getMaxBatchSize() > 0) {
      dims.add((long) batch);
    }
    dims.addAll(spec.getDimsList());
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    long total = Tensor.elementCount(name, shape);
    long bytes = type.isFixedSize() ? total * type.byteSize() : total * 4;
    if (total > Integer.MAX_VALUE || bytes > Integer.MAX_VALUE - 8 || bytes < 0) {
      throw Status.invalidArgument(
              "warm-up input '" + name + "': shape " + java.util.Arrays.toString(shape)
                  + " holds " + total + " elements (expected: under 2 GiB of data)")
          .asException();
    }
    int count = (int) total;
    if (spec.hasInputDataFile()) {
      // Triton reads warm-up files from the model folder's warmup/ folder.
      String what = "warm-up input '" + name + "' input_data_file \"" + spec.getInputDataFile()
          + "\"";
      try {
        Path file = ContainedPath.resolve(modelDir.resolve("warmup"), spec.getInputDataFile(), what)
            .orElseThrow(() -> Status.invalidArgument(
                    what + " is not in the model's warmup folder").asException());
        return Tensor.of(name, type, shape, ByteBuffer.wrap(Files.readAllBytes(file)));
      } catch (RepositoryException e) {
        throw Status.invalidArgument(e.getMessage()).asException();
      } catch (IOException e) {
        throw Status.invalidArgument(what + " cannot be read").asException();
      }
    }
    if (type == DataType.BYTES) {
      List<byte[]> elements = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        elements.add(new byte[0]);
      }
      return Tensor.ofBytes(name, shape, elements);
    }
    ByteBuffer data =
        ByteBuffer.allocateDirect(count * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    if (spec.getRandomData()) {
      // Small values in every type keep random warm-up data valid (booleans 0/1, no NaNs).
      Random random = new Random(42);
      for (int i = 0; i < count; i++) {
        putSmall(data, type, random.nextInt(2));
      }
    }
    data.clear();
    return Tensor.of(name, type, shape, data);
  }

  private static void putSmall(ByteBuffer b, DataType type, int v) {
    switch (type) {
      case FP32 -> b.putFloat(v);
      case FP64 -> b.putDouble(v);
      case INT64, UINT64 -> b.putLong(v);
      case INT32, UINT32 -> b.putInt(v);
      case INT16, UINT16 -> b.putShort((short) v);
      case FP16 -> b.putShort(v == 0 ? 0 : (short) 0x3C00);
      case BF16 -> b.putShort(v == 0 ? 0 : (short) 0x3F80);
      default -> b.put((byte) v);
    }
  }
}
