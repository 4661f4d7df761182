package io.sluice.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CudaOptionsTest {

  @Test
  void noParametersAreOrtDefaultsOnTheGroupsDevice() {
    CudaOptions cuda = CudaOptions.from(2, Map.of("intra_op_thread_count", "2"));

    assertThat(cuda.deviceId()).isEqualTo(2);
    assertThat(cuda.providerOptions()).isEmpty();
  }

  @Test
  void everyKnownKeyGoesToOrtUnderItsOwnName() {
    CudaOptions cuda = CudaOptions.from(0, Map.of(
        "gpu_mem_limit", " 2147483648 ",
        "arena_extend_strategy", "kSameAsRequested",
        "cudnn_conv_algo_search", "HEURISTIC",
        "use_tf32", "false",
        "do_copy_in_default_stream", "true"));

    assertThat(cuda.providerOptions()).containsOnly(
        Map.entry("gpu_mem_limit", "2147483648"),
        Map.entry("arena_extend_strategy", "kSameAsRequested"),
        Map.entry("cudnn_conv_algo_search", "HEURISTIC"),
        Map.entry("use_tf32", "0"),
        Map.entry("do_copy_in_default_stream", "1"));
  }

  @Test
  void aDeviceIdParameterNamesTheDeviceWhereTheGroupNamesNone() {
    assertThat(CudaOptions.from(0, Map.of("device_id", "3")).deviceId()).isEqualTo(3);
    assertThat(CudaOptions.from(3, Map.of("device_id", "3")).deviceId()).isEqualTo(3);
  }

  @Test
  void aDeviceIdThatDisagreesWithTheGroupIsRefused() {
    assertInvalid(Map.of("device_id", "1"), 2, "device_id");
  }

  @Test
  void badValuesAreInvalidArgumentsNamingTheKey() {
    assertInvalid(Map.of("gpu_mem_limit", "2GB"), 0, "gpu_mem_limit");
    assertInvalid(Map.of("gpu_mem_limit", "0"), 0, "gpu_mem_limit");
    assertInvalid(Map.of("arena_extend_strategy", "grow"), 0, "arena_extend_strategy");
    assertInvalid(Map.of("cudnn_conv_algo_search", "exhaustive"), 0, "cudnn_conv_algo_search");
    assertInvalid(Map.of("use_tf32", "yes"), 0, "use_tf32");
    assertInvalid(Map.of("device_id", "-1"), 0, "device_id");
  }

  private static void assertInvalid(Map<String, String> parameters, int device, String key) {
    assertThatThrownBy(() -> CudaOptions.from(device, parameters))
        .isInstanceOfSatisfying(StatusException.class, e ->
            assertThat(e.status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("parameter " + key);
  }
}
