package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {
  @TempDir Path dir;

  private GatewayConfig resolve(String... args) throws Exception {
    Main.Serve serve = new Main.Serve();
    new CommandLine(serve).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
    return serve.resolve();
  }

  @Test
  void defaultsFollowTritonsPorts() throws Exception {
    GatewayConfig c = resolve("--model-repository", "repo");

    assertThat(c.httpPort()).isEqualTo(8000);
    assertThat(c.grpcPort()).isEqualTo(8001);
    assertThat(c.metricsPort()).isEqualTo(8002);
    assertThat(c.strictReadiness()).isTrue();
    assertThat(c.engine()).isEqualTo(GatewayConfig.Engine.ONNXRUNTIME);
  }

  @Test
  void yamlFileSetsValuesAndFlagsOverrideIt() throws Exception {
    Path yaml = dir.resolve("sluice.yaml");
    Files.writeString(
        yaml,
        "model-repository: /models\nhttp-port: 9000\ngrpc-port: 9001\nstrict-readiness: false\n");

    GatewayConfig c = resolve("--config", yaml.toString(), "--grpc-port", "0", "--engine", "echo");

    assertThat(c.modelRepository()).isEqualTo(Path.of("/models"));
    assertThat(c.httpPort()).isEqualTo(9000);
    assertThat(c.grpcPort()).isZero();
    assertThat(c.strictReadiness()).isFalse();
    assertThat(c.engine()).isEqualTo(GatewayConfig.Engine.ECHO);
  }

  @Test
  void unknownYamlKeyIsAnError() throws Exception {
    Path yaml = dir.resolve("sluice.yaml");
    Files.writeString(yaml, "model-repository: /models\nhttp-prot: 9000\n");

    assertThatThrownBy(() -> resolve("--config", yaml.toString()))
        .hasMessageContaining("http-prot");
  }

  @Test
  void aRepositoryIsRequired() {
    assertThatThrownBy(() -> resolve("--http-port", "1"))
        .hasMessageContaining("--model-repository");
  }

  @Test
  void anOutOfRangePortSaysWhatWasExpected() {
    assertThatThrownBy(() -> resolve("--model-repository", "r", "--http-port", "70000"))
        .hasMessageContaining("httpPort: 70000 (expected: 0..65535)");
  }
}
