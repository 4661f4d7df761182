package io.sluice.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.runtime.Backend;
import io.sluice.runtime.BackendOptions;
import io.sluice.runtime.BackendProvider;
import io.sluice.runtime.EchoBackend;
import io.sluice.runtime.ModelSignature;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import io.sluice.runtime.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Picking an engine by a config's platform and backend. */
class BackendRegistryTest {
  private final Stub onnx = new Stub("onnxruntime_onnx", "onnxruntime");
  private final Stub tf = new Stub("tensorflow_savedmodel", "tensorflow");
  private final BackendRegistry registry = BackendRegistry.of(onnx, tf);

  private static ModelConfig config(String platform, String backend) {
    return ModelConfig.newBuilder().setPlatform(platform).setBackend(backend).build();
  }

  @Test
  void aConfigThatNamesNoEngineGetsTheFirstProvider() {
    assertThat(registry.select(ModelConfig.getDefaultInstance())).isSameAs(onnx);
  }

  @Test
  void aConfigThatNamesNoEngineGetsTheProviderOfTheModelFile() {
    assertThat(registry.select(ModelConfig.getDefaultInstance(), Path.of("m", "1",
        "model.savedmodel"))).isSameAs(tf);
    assertThat(registry.select(ModelConfig.getDefaultInstance(), Path.of("m", "1",
        "model.onnx"))).isSameAs(onnx);
    assertThat(registry.select(ModelConfig.getDefaultInstance(), Path.of("m", "1",
        "other.bin"))).isSameAs(onnx);
  }

  @Test
  void aPlatformOrABackendPicksItsProvider() {
    assertThat(registry.select(config("tensorflow_savedmodel", ""))).isSameAs(tf);
    assertThat(registry.select(config("", "tensorflow"))).isSameAs(tf);
    assertThat(registry.select(config("onnxruntime_onnx", "onnxruntime"))).isSameAs(onnx);
  }

  @Test
  void anUnknownPlatformIsUnimplementedAndNamesWhatIsServed() {
    assertThatThrownBy(() -> BackendRegistry.of(onnx).select(config("pytorch_libtorch", "")))
        .isInstanceOfSatisfying(StatusException.class, e -> {
          assertThat(e.status().code()).isEqualTo(Status.Code.UNIMPLEMENTED);
          assertThat(e.status().description()).isEqualTo(
              "platform 'pytorch_libtorch' / backend '' is not supported"
                  + " (expected: onnxruntime_onnx)");
        });
  }

  @Test
  void aPlatformAndABackendOfDifferentEnginesAreRefused() {
    assertThatThrownBy(() -> registry.select(config("onnxruntime_onnx", "tensorflow")))
        .isInstanceOfSatisfying(StatusException.class,
            e -> assertThat(e.status().code()).isEqualTo(Status.Code.UNIMPLEMENTED));
  }

  @Test
  void twoProvidersOfOnePlatformAreRefusedAtStartUp() {
    assertThatThrownBy(() -> BackendRegistry.of(onnx, new Stub("onnxruntime_onnx", "other")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("onnxruntime_onnx");
  }

  @Test
  void theEchoRegistryKeepsTheNamesAndClosesTheRealInstance() {
    BackendRegistry echo = registry.echo();

    BackendProvider picked = echo.select(config("", "tensorflow"));
    try (Backend b = picked.open(Path.of("model"), BackendOptions.ofDefaults())) {
      assertThat(b).isInstanceOf(EchoBackend.class);
    }
    assertThat(picked.platform()).isEqualTo("tensorflow_savedmodel");
    assertThat(tf.opened).isEqualTo(1);
    assertThat(tf.closed).isEqualTo(1);
  }

  private static final class Stub implements BackendProvider {
    private final String platform;
    private final String backend;
    int opened;
    int closed;

    Stub(String platform, String backend) {
      this.platform = platform;
      this.backend = backend;
    }

    @Override
    public String platform() {
      return platform;
    }

    @Override
    public String backend() {
      return backend;
    }

    @Override
    public String defaultModelFilename() {
      return platform.startsWith("tensorflow") ? "model.savedmodel" : "model.onnx";
    }

    @Override
    public Backend open(Path modelFile, BackendOptions options) {
      opened++;
      return new Backend() {
        @Override
        public ModelSignature signature() {
          return new ModelSignature(List.of(), List.of());
        }

        @Override
        public List<Tensor> run(List<Tensor> inputs, Set<String> outputs) {
          return List.of();
        }

        @Override
        public void close() {
          closed++;
        }
      };
    }
  }
}
