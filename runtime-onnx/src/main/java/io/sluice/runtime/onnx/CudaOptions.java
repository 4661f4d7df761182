package io.sluice.runtime.onnx;

import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The CUDA execution provider's options for one model, read from its {@code config.pbtxt}
 * parameters under the keys ONNX Runtime itself documents for the CUDA provider, so a value
 * goes to ORT unchanged: {@code gpu_mem_limit} (bytes of the device arena), {@code
 * arena_extend_strategy} ({@code kNextPowerOfTwo}, {@code kSameAsRequested}), {@code
 * cudnn_conv_algo_search} ({@code EXHAUSTIVE}, {@code HEURISTIC}, {@code DEFAULT}), {@code
 * use_tf32} and {@code do_copy_in_default_stream} ({@code 0}/{@code 1}, or {@code
 * true}/{@code false}). The device is the instance group's first gpu; a {@code device_id}
 * parameter names it where the group names none (or gpu 0), and must agree otherwise. A bad
 * value is an INVALID_ARGUMENT at load, naming the key, rather than an ORT error on the GPU
 * machine.
 *
 * @param deviceId the CUDA device
 * @param providerOptions ORT provider option keys to values, {@code device_id} excluded; copied
 */
public record CudaOptions(int deviceId, Map<String, String> providerOptions) {
  static final String DEVICE_ID = "device_id";
  static final String GPU_MEM_LIMIT = "gpu_mem_limit";
  static final String ARENA_EXTEND_STRATEGY = "arena_extend_strategy";
  static final String CUDNN_CONV_ALGO_SEARCH = "cudnn_conv_algo_search";
  static final String USE_TF32 = "use_tf32";
  static final String DO_COPY_IN_DEFAULT_STREAM = "do_copy_in_default_stream";

  private static final Set<String> ARENA_STRATEGIES = Set.of("kNextPowerOfTwo", "kSameAsRequested");
  private static final Set<String> CONV_SEARCHES = Set.of("EXHAUSTIVE", "HEURISTIC", "DEFAULT");

  public CudaOptions {
    if (deviceId < 0) {
      throw new IllegalArgumentException("deviceId: " + deviceId + " (expected: >= 0)");
    }
    providerOptions = Map.copyOf(providerOptions);
  }

  /** ORT's defaults on device 0. */
  public static CudaOptions ofDefaults() {
    return new CudaOptions(0, Map.of());
  }

  /**
   * The options for {@code device} (the instance group's gpu; 0 where it names none or gpu 0)
   * and the model's {@code parameters}; keys this class does not know are left to others.
   *
   * @throws StatusException INVALID_ARGUMENT naming a key with a bad value
   */
  public static CudaOptions from(int device, Map<String, String> parameters) {
    int id = Math.max(device, 0);
    String given = parameters.get(DEVICE_ID);
    if (given != null) {
      int p = nonNegativeInt(DEVICE_ID, given);
      if (device > 0 && p != device) {
        throw invalid(DEVICE_ID, given, "the instance group's gpu " + device + ", or no gpus");
      }
      id = p;
    }
    Map<String, String> out = new LinkedHashMap<>();
    String limit = parameters.get(GPU_MEM_LIMIT);
    if (limit != null) {
      long bytes;
      try {
        bytes = Long.parseLong(limit.trim());
      } catch (NumberFormatException e) {
        bytes = 0;
      }
      if (bytes <= 0) {
        throw invalid(GPU_MEM_LIMIT, limit, "a positive number of bytes");
      }
      out.put(GPU_MEM_LIMIT, Long.toString(bytes));
    }
    oneOf(parameters, ARENA_EXTEND_STRATEGY, ARENA_STRATEGIES, out);
    oneOf(parameters, CUDNN_CONV_ALGO_SEARCH, CONV_SEARCHES, out);
    flag(parameters, USE_TF32, out);
    flag(parameters, DO_COPY_IN_DEFAULT_STREAM, out);
    return new CudaOptions(id, out);
  }

  private static void oneOf(
      Map<String, String> parameters, String key, Set<String> allowed, Map<String, String> out) {
    String v = parameters.get(key);
    if (v == null) {
      return;
    }
    if (!allowed.contains(v.trim())) {
      throw invalid(key, v, "one of " + String.join(", ", allowed.stream().sorted().toList()));
    }
    out.put(key, v.trim());
  }

  private static void flag(Map<String, String> parameters, String key, Map<String, String> out) {
    String v = parameters.get(key);
    if (v == null) {
      return;
    }
    switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "1", "true" -> out.put(key, "1");
      case "0", "false" -> out.put(key, "0");
      default -> throw invalid(key, v, "0, 1, true or false");
    }
  }

  private static int nonNegativeInt(String key, String v) {
    try {
      int i = Integer.parseInt(v.trim());
      if (i >= 0) {
        return i;
      }
    } catch (NumberFormatException e) {
      // the error below names the value
    }
    throw invalid(key, v, "a CUDA device id >= 0");
  }

  private static StatusException invalid(String key, String v, String expected) {
    return Status.invalidArgument("parameter " + key + ": '" + v + "' (expected: " + expected + ")")
        .asException();
  }
}
