package io.sluice.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runtime.BackendOptions;
import io.sluice.runtime.Device;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ONNX Runtime provider's names and how it turns neutral options into ORT's. */
class OnnxBackendProviderTest {
  private final OnnxBackendProvider provider = new OnnxBackendProvider();

  @Test
  void servesTritonsOnnxRuntimeNamesAndExpectsModelOnnx() {
    assertThat(provider.platform()).isEqualTo("onnxruntime_onnx");
    assertThat(provider.backend()).isEqualTo("onnxruntime");
    assertThat(provider.defaultModelFilename()).isEqualTo("model.onnx");
  }

  @Test
  void neutralDefaultsBecomeOrtDefaults() {
    assertThat(OnnxBackendProvider.options(BackendOptions.ofDefaults()))
        .isEqualTo(OnnxOptions.ofDefaults());
  }

  @Test
  void theModelsThreadParametersOverrideTheDefaults() {
    BackendOptions options = BackendOptions.ofDefaults()
        .withParameters(Map.of("intra_op_thread_count", " 3", "inter_op_thread_count", "2"));

    OnnxOptions onnx = OnnxBackendProvider.options(options);

    assertThat(onnx.intraOpThreads()).isEqualTo(3);
    assertThat(onnx.interOpThreads()).isEqualTo(2);
  }

  @Test
  void threadParametersThatAreNotPositiveIntegersKeepTheDefaults() {
    BackendOptions options = new BackendOptions(Device.CPU, 2, 1, false,
        Map.of("intra_op_thread_count", "many", "inter_op_thread_count", "0"));

    OnnxOptions onnx = OnnxBackendProvider.options(options);

    assertThat(onnx.intraOpThreads()).isEqualTo(2);
    assertThat(onnx.interOpThreads()).isEqualTo(1);
  }

  @Test
  void aCudaDeviceAsksForTheCudaExecutionProviderOnThatDevice() {
    OnnxOptions onnx =
        OnnxBackendProvider.options(BackendOptions.ofDefaults().withDevice(Device.cuda(1)));

    assertThat(onnx.device()).isEqualTo(Device.cuda(1));
    assertThat(onnx.cuda().deviceId()).isEqualTo(1);
  }
}
