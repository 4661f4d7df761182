package io.sluice.registry.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MlflowCredentialsTest {
  @TempDir Path tmp;

  @Test
  void aBasicAuthFileWinsAndItsSecretIsNeverPrinted() throws Exception {
    Path basic = Files.writeString(tmp.resolve("basic"), "alice:pa55word\n");
    Path token = Files.writeString(tmp.resolve("token"), "tok\n");

    MlflowCredentials c = MlflowCredentials.resolve(Optional.of(basic), Optional.of(token),
        Map.of("MLFLOW_TRACKING_TOKEN", "env"));

    assertThat(c.header()).contains("Basic YWxpY2U6cGE1NXdvcmQ=");
    assertThat(c.toString()).isEqualTo("basic").doesNotContain("pa55word");
  }

  @Test
  void theEnvironmentIsReadAsMlflowsOwnClientReadsIt() throws Exception {
    assertThat(MlflowCredentials.resolve(Optional.empty(), Optional.empty(),
        Map.of("MLFLOW_TRACKING_TOKEN", "tok")).header()).contains("Bearer tok");
    assertThat(MlflowCredentials.resolve(Optional.empty(), Optional.empty(),
        Map.of("MLFLOW_TRACKING_USERNAME", "u", "MLFLOW_TRACKING_PASSWORD", "p",
            "MLFLOW_TRACKING_TOKEN", "tok")).toString()).isEqualTo("basic");
    assertThat(MlflowCredentials.resolve(Optional.empty(), Optional.empty(), Map.of()).header())
        .isEmpty();
  }

  @Test
  void aMalformedFileIsRefusedWithoutQuotingIt() throws Exception {
    Path basic = Files.writeString(tmp.resolve("basic"), "no-colon-secret");

    assertThatThrownBy(() -> MlflowCredentials.resolve(Optional.of(basic), Optional.empty(),
        Map.of()))
        .hasMessageContaining("user:password")
        .hasMessageNotContaining("no-colon-secret");
  }
}
