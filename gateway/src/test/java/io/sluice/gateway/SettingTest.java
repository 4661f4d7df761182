package io.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SettingTest {
  static final String BEGIN = "<!-- config-table:begin -->";
  static final String END = "<!-- config-table:end -->";

  @Test
  void theReadmeTableIsTheOneTheCodeGenerates() throws Exception {
    String readme = Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8);
    int begin = readme.indexOf(BEGIN);
    int end = readme.indexOf(END);
    assertThat(begin).as("README marker " + BEGIN).isNotNegative();
    assertThat(end).as("README marker " + END).isGreaterThan(begin);

    String inReadme = readme.substring(begin + BEGIN.length(), end).strip();

    assertThat(inReadme)
        .as("README's settings table; regenerate with sluice serve --print-config-table")
        .isEqualTo(Setting.markdownTable().strip());
  }

  @Test
  void flagsAndYamlKeysAreUnique() {
    assertThat(Arrays.stream(Setting.values()).map(Setting::flag)).doesNotHaveDuplicates();
    assertThat(
            Arrays.stream(Setting.values()).map(Setting::yamlKey).flatMap(Optional::stream))
        .doesNotHaveDuplicates();
  }

  @Test
  void everyYamlKeyIsItsFlagWithoutTheDashes() {
    for (Setting s : Setting.values()) {
      s.yamlKey().ifPresent(key -> assertThat("--" + key).isEqualTo(s.flag()));
    }
  }

  @Test
  void securityDefaultsAreClosedAndPlain() {
    SecurityConfig c = GatewayConfig.ofDefaults(Path.of("r")).security();

    assertThat(c.adminTokenFile()).isEmpty();
    assertThat(c.tls()).isEmpty();
    assertThat(c.credentialsReloadSeconds()).isEqualTo(10);
    assertThat(c.overrideLimits()).isEqualTo(io.sluice.gateway.model.OverrideLimits.ofDefaults());
  }

  @Test
  void tlsFlagsGoTogether() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> GatewayConfig.builder().modelRepository(Path.of("r"))
                .tlsCertFile(Path.of("c.pem")).build())
        .hasMessageContaining("--tls-cert-file without --tls-key-file");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> GatewayConfig.builder().modelRepository(Path.of("r"))
                .tlsClientCaFile(Path.of("ca.pem")).build())
        .hasMessageContaining("--tls-client-ca-file ca.pem needs --tls-cert-file");
    assertThat(GatewayConfig.builder().modelRepository(Path.of("r"))
            .tlsCertFile(Path.of("c.pem")).tlsKeyFile(Path.of("k.pem"))
            .tlsClientCaFile(Path.of("ca.pem")).build().security().tls().orElseThrow().clientCa())
        .hasValue(Path.of("ca.pem"));
  }

  @Test
  void theBuilderStartsFromTheTablesDefaults() {
    GatewayConfig c = GatewayConfig.ofDefaults(Path.of("r"));

    assertThat(c.network().host()).isEqualTo("0.0.0.0");
    assertThat(c.network().maxRequestBytes()).isEqualTo(64 * 1024 * 1024);
    assertThat(c.network().maxGrpcMessageBytes()).isEqualTo(256 * 1024 * 1024);
    assertThat(c.models().defaultMaxBatchSize()).isEqualTo(4);
    assertThat(c.models().maxQueueSize()).isEqualTo(4096);
    assertThat(c.engine().onnxSpinning()).isFalse();
  }

  @Test
  void theDefaultControlModeIsExplicitWithoutPolling() {
    RegistryConfig r = GatewayConfig.ofDefaults(Path.of("r")).registry();

    assertThat(r.controlMode()).isEqualTo(io.sluice.gateway.core.ModelControlMode.EXPLICIT);
    assertThat(r.repositoryPollSeconds()).isZero();
  }

  @Test
  void pollModeWithoutAnIntervalPollsEveryFifteenSeconds() {
    RegistryConfig r = GatewayConfig.builder().modelRepository(Path.of("r"))
        .modelControlMode("poll").build().registry();

    assertThat(r.controlMode()).isEqualTo(io.sluice.gateway.core.ModelControlMode.POLL);
    assertThat(r.repositoryPollSeconds()).isEqualTo(15);
  }

  @Test
  void pollModeKeepsTheIntervalGiven() {
    RegistryConfig r = GatewayConfig.builder().modelRepository(Path.of("r"))
        .modelControlMode("POLL").repositoryPollInterval(2).build().registry();

    assertThat(r.repositoryPollSeconds()).isEqualTo(2);
  }

  @Test
  void noneModeRefusesAPollInterval() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> GatewayConfig.builder().modelRepository(Path.of("r"))
                .modelControlMode("none").repositoryPollInterval(5).build())
        .hasMessageContaining("repository-poll-interval 5 with model-control-mode none");
  }

  @Test
  void anUnknownControlModeNamesTheThreeModes() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> GatewayConfig.builder().modelControlMode("auto"))
        .hasMessage("model-control-mode: 'auto' (expected: none, poll or explicit)");
  }
}
