package io.sluice.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession.SessionOptions;
import io.sluice.runtime.Device;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Provider choice with the available set and the CUDA adder faked; real session options. */
class ExecutionProvidersTest {
  private static final Set<OrtProvider> CPU_ONLY = EnumSet.of(OrtProvider.CPU);
  private static final Set<OrtProvider> WITH_CUDA = EnumSet.of(OrtProvider.CPU, OrtProvider.CUDA);
  private static final CudaOptions CUDA_1 =
      CudaOptions.from(1, Map.of("cudnn_conv_algo_search", "HEURISTIC"));

  private final List<CudaOptions> added = new ArrayList<>();
  private SessionOptions so;

  @BeforeEach
  void openOptions() {
    so = new SessionOptions();
  }

  @AfterEach
  void closeOptions() {
    so.close();
  }

  private ExecutionProviders providers(Set<OrtProvider> available, boolean addFails) {
    return new ExecutionProviders(() -> available, (options, cuda) -> {
      assertThat(options).isSameAs(so);
      if (addFails) {
        throw new OrtException("libcudnn.so.9: cannot open shared object file");
      }
      added.add(cuda);
    });
  }

  @Test
  void theCpuAddsNothingAndDoesNotAskWhatIsAvailable() {
    ExecutionProviders p = new ExecutionProviders(() -> {
      throw new AssertionError("asked for providers");
    }, (options, cuda) -> added.add(cuda));

    assertThat(p.apply(so, Device.CPU, CUDA_1, "m")).isEqualTo(Device.CPU);
    assertThat(added).isEmpty();
  }

  @Test
  void kindGpuAddsCudaWithTheModelsOptions() {
    Device d = providers(WITH_CUDA, false).apply(so, Device.cuda(1), CUDA_1, "m");

    assertThat(d).isEqualTo(Device.cuda(1));
    assertThat(added).containsExactly(CUDA_1);
  }

  @Test
  void kindGpuOnABuildWithoutCudaIsUnavailableNamingWhatIsMissing() {
    assertThatThrownBy(() -> providers(CPU_ONLY, false).apply(so, Device.cuda(1), CUDA_1, "resnet"))
        .isInstanceOfSatisfying(StatusException.class, e ->
            assertThat(e.status().code()).isEqualTo(Status.Code.UNAVAILABLE))
        .hasMessageContaining("resnet")
        .hasMessageContaining("no CUDA execution provider")
        .hasMessageContaining("-Pcuda");
    assertThat(added).isEmpty();
  }

  @Test
  void kindGpuWhereCudaIsListedButWillNotStartIsUnavailableWithOrtsReason() {
    assertThatThrownBy(() -> providers(WITH_CUDA, true).apply(so, Device.cuda(1), CUDA_1, "m"))
        .isInstanceOfSatisfying(StatusException.class, e ->
            assertThat(e.status().code()).isEqualTo(Status.Code.UNAVAILABLE))
        .hasMessageContaining("device 1")
        .hasMessageContaining("libcudnn.so.9");
  }

  @Test
  void autoUsesCudaWhenListedAndAddingSucceeds() {
    Device d = providers(WITH_CUDA, false).apply(so, Device.auto(1), CUDA_1, "m");

    assertThat(d).isEqualTo(Device.cuda(1));
    assertThat(added).containsExactly(CUDA_1);
  }

  @Test
  void autoFallsBackToTheCpuWhenCudaIsNotListed() {
    assertThat(providers(CPU_ONLY, false).apply(so, Device.AUTO, CUDA_1, "m"))
        .isEqualTo(Device.CPU);
    assertThat(added).isEmpty();
  }

  @Test
  void autoFallsBackToTheCpuWhenAddingCudaFails() {
    assertThat(providers(WITH_CUDA, true).apply(so, Device.AUTO, CUDA_1, "m"))
        .isEqualTo(Device.CPU);
  }

  @Test
  void theRealRuntimeAgreesWithItsOwnProviderList() {
    // On the CPU build AUTO lands on the CPU; with onnxruntime_gpu on a GPU machine, on CUDA.
    Device d = ExecutionProviders.ofRuntime().apply(so, Device.AUTO, CudaOptions.ofDefaults(), "m");

    assertThat(d.kind()).isIn(Device.Kind.CPU, Device.Kind.CUDA);
    if (!ai.onnxruntime.OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
      assertThat(d).isEqualTo(Device.CPU);
    }
  }
}
