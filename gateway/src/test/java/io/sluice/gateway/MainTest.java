package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  @TempDir Path dir;

  private GatewayConfig resolve(String... args) throws Exception {
    Main.Serve serve = new Main.Serve();
    Main.Serve.commandLine(serve).parseArgs(args);
    return serve.resolve();
  }

  private Path yaml(String text) throws Exception {
    Path yaml = dir.resolve("sluice.yaml");
    Files.writeString(yaml, text);
    return yaml;
  }

  @Test
  void defaultsFollowTritonsPorts() throws Exception {
    GatewayConfig c = resolve("--model-repository", "repo");

    assertThat(c.network().httpPort()).isEqualTo(8000);
    assertThat(c.network().grpcPort()).isEqualTo(8001);
    assertThat(c.network().metricsPort()).isEqualTo(8002);
    assertThat(c.models().strictReadiness()).isTrue();
    assertThat(c.engine().kind()).isEqualTo(GatewayConfig.Engine.ONNXRUNTIME);
  }

  @Test
  void withNoFlagsOrFileTheResultIsTheDefaults() throws Exception {
    assertThat(resolve("--model-repository", "repo"))
        .isEqualTo(GatewayConfig.ofDefaults(Path.of("repo")));
  }

  @Test
  void yamlFileSetsValuesAndFlagsOverrideIt() throws Exception {
    Path yaml =
        yaml(
            "model-repository: /models\nhttp-port: 9000\ngrpc-port: 9001\n"
                + "strict-readiness: false\n");

    GatewayConfig c = resolve("--config", yaml.toString(), "--grpc-port", "0", "--engine", "echo");

    assertThat(c.models().modelRepository()).isEqualTo(Path.of("/models"));
    assertThat(c.network().httpPort()).isEqualTo(9000);
    assertThat(c.network().grpcPort()).isZero();
    assertThat(c.models().strictReadiness()).isFalse();
    assertThat(c.engine().kind()).isEqualTo(GatewayConfig.Engine.ECHO);
  }

  @Test
  void aFlagBeatsTheFileAndTheFileBeatsTheDefault() throws Exception {
    Path yaml = yaml("max-queue-size: 10\nonnx-intra-op-threads: 3\n");

    GatewayConfig c =
        resolve("--config", yaml.toString(), "--model-repository", "r", "--max-queue-size", "20");

    assertThat(c.models().maxQueueSize()).isEqualTo(20);
    assertThat(c.engine().onnxIntraOpThreads()).isEqualTo(3);
    assertThat(c.engine().onnxInterOpThreads()).isEqualTo(1);
  }

  @Test
  void everySettingReadsTheSameFromItsFlagAndItsYamlKey() throws Exception {
    Path yaml =
        yaml(
            "model-repository: /m\nhost: 127.0.0.1\nhttp-port: 1\ngrpc-port: 2\nmetrics-port: 3\n"
                + "strict-readiness: false\nmax-request-bytes: 4\nmax-grpc-message-bytes: 5\n"
                + "event-loop-threads: 6\ndefault-max-batch-size: 7\nmax-queue-size: 8\n"
                + "engine: ECHO\nonnx-intra-op-threads: 9\nonnx-inter-op-threads: 10\n"
                + "onnx-spinning: true\n");

    GatewayConfig fromFile = resolve("--config", yaml.toString());
    GatewayConfig fromFlags =
        resolve(
            "--model-repository", "/m", "--host", "127.0.0.1", "--http-port", "1",
            "--grpc-port", "2", "--metrics-port", "3", "--strict-readiness", "false",
            "--max-request-bytes", "4", "--max-grpc-message-bytes", "5",
            "--event-loop-threads", "6", "--default-max-batch-size", "7",
            "--max-queue-size", "8", "--engine", "echo", "--onnx-intra-op-threads", "9",
            "--onnx-inter-op-threads", "10", "--onnx-spinning", "true");

    assertThat(fromFlags).isEqualTo(fromFile);
    assertThat(fromFile.engine().onnxSpinning()).isTrue();
    assertThat(fromFile.network().eventLoopThreads()).isEqualTo(6);
  }

  @Test
  void theConnectionLimitsReadTheSameFromFlagsAndYamlAndHaveTheirDefaults() throws Exception {
    Path yaml =
        yaml(
            "model-repository: /m\nmax-decompressed-bytes: 1\nmax-connections: 2\n"
                + "idle-timeout-seconds: 3\nheader-timeout-seconds: 4\nbody-timeout-seconds: 5\n"
                + "max-grpc-calls-per-connection: 6\n");

    GatewayConfig fromFile = resolve("--config", yaml.toString());
    GatewayConfig fromFlags =
        resolve(
            "--model-repository", "/m", "--max-decompressed-bytes", "1", "--max-connections", "2",
            "--idle-timeout-seconds", "3", "--header-timeout-seconds", "4",
            "--body-timeout-seconds", "5", "--max-grpc-calls-per-connection", "6");

    assertThat(fromFlags).isEqualTo(fromFile);
    assertThat(fromFile.network().limits()).isEqualTo(new ConnectionLimits(1, 2, 3, 4, 5, 6));
    assertThat(resolve("--model-repository", "/m").network().limits())
        .isEqualTo(new ConnectionLimits(16 * 1024 * 1024, 10_000, 60, 10, 20, 1000));
  }

  @Test
  void aTimeoutOfZeroIsRefused() {
    assertThatThrownBy(() -> resolve("--model-repository", "/m", "--body-timeout-seconds", "0"))
        .hasMessageContaining("bodyTimeoutSeconds: 0 (expected: > 0)");
  }

  @Test
  void unknownYamlKeyIsAnError() throws Exception {
    Path yaml = yaml("model-repository: /models\nhttp-prot: 9000\n");

    assertThatThrownBy(() -> resolve("--config", yaml.toString()))
        .hasMessageContaining("unknown key http-prot")
        .hasMessageContaining("http-port");
  }

  @Test
  void aFlagOnlyOptionIsNotAYamlKey() throws Exception {
    Path yaml = yaml("model-repository: /models\nports-file: /tmp/p.json\n");

    assertThatThrownBy(() -> resolve("--config", yaml.toString()))
        .hasMessageContaining("unknown key ports-file");
  }

  @Test
  void aYamlValueOfTheWrongTypeSaysWhatWasExpected() throws Exception {
    Path yaml = yaml("model-repository: /models\nhttp-port: eighty\n");

    assertThatThrownBy(() -> resolve("--config", yaml.toString()))
        .hasMessageContaining("http-port: \"eighty\" (expected: int)");
  }

  @Test
  void anEmptyYamlFileChangesNothing() throws Exception {
    Path yaml = yaml("");

    assertThat(resolve("--config", yaml.toString(), "--model-repository", "repo"))
        .isEqualTo(GatewayConfig.ofDefaults(Path.of("repo")));
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

  @Test
  void helpShowsEveryFlagWithItsDefault() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Main.Serve.commandLine(new Main.Serve())
        .usage(new PrintStream(out, true, StandardCharsets.UTF_8));
    String help = out.toString(StandardCharsets.UTF_8);

    for (Setting s : Setting.values()) {
      assertThat(help).contains(s.flag());
    }
    assertThat(help).contains("HTTP port, 0 picks an ephemeral port (default: 8000)");
    assertThat(help).doesNotContain("--print-config-table");
  }

  @Test
  void mlflowModelsMayBeRepeatedAndTheFolderIsThenOptional() throws Exception {
    GatewayConfig c = resolve("--mlflow-uri", "http://127.0.0.1:5000", "--mlflow-model", "fraud",
        "--mlflow-model", "churn", "--mlflow-poll-seconds", "3");

    assertThat(c.models().modelRepository()).isNull();
    assertThat(c.registry().mlflowUri()).contains(java.net.URI.create("http://127.0.0.1:5000"));
    assertThat(c.registry().models()).containsExactly("fraud", "churn");
    assertThat(c.registry().aliases()).containsExactly("champion", "challenger", "shadow");
    assertThat(c.registry().pollSeconds()).isEqualTo(3);
  }

  @Test
  void theYamlFileTakesMlflowModelsAsAListAndAliasesAsOneString() throws Exception {
    Path yaml = yaml("mlflow-uri: http://mlflow:5000\nmlflow-model: [fraud, churn]\n"
        + "mlflow-aliases: champion,canary\nmodel-repository: /models\n");

    GatewayConfig c = resolve("--config", yaml.toString());

    assertThat(c.registry().models()).containsExactly("fraud", "churn");
    assertThat(c.registry().aliases()).containsExactly("champion", "canary");
    assertThat(c.models().modelRepository()).isEqualTo(Path.of("/models"));
  }

  @Test
  void anMlflowModelWithoutAServerIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> resolve("--model-repository", "r", "--mlflow-model", "fraud"))
        .hasMessageContaining("without an mlflow-uri");
  }
}
