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
  void theBuilderStartsFromTheTablesDefaults() {
    GatewayConfig c = GatewayConfig.ofDefaults(Path.of("r"));

    assertThat(c.network().host()).isEqualTo("0.0.0.0");
    assertThat(c.network().maxRequestBytes()).isEqualTo(64 * 1024 * 1024);
    assertThat(c.network().maxGrpcMessageBytes()).isEqualTo(256 * 1024 * 1024);
    assertThat(c.models().defaultMaxBatchSize()).isEqualTo(4);
    assertThat(c.models().maxQueueSize()).isEqualTo(4096);
    assertThat(c.engine().onnxSpinning()).isFalse();
  }
}
