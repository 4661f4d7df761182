package io.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * The YAML form of {@link GatewayConfig}: the settings of {@link Setting} under their YAML keys
 * ({@code http-port: 8000}). Every key is optional; an unknown key is an error, so a typo never
 * passes silently. Read with Jackson's YAML module.
 */
final class ConfigFile {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ConfigFile() {}

  /** The settings {@code file} gives a value, each converted to its {@link Setting.Kind}. */
  static Map<Setting, Object> read(Path file) throws IOException {
    JsonNode root = YAML.readTree(file.toFile());
    Map<Setting, Object> values = new EnumMap<>(Setting.class);
    if (root == null || root.isMissingNode() || root.isNull()) {
      return values;
    }
    if (!root.isObject()) {
      throw new IOException(
          file + ": " + root.getNodeType() + " (expected: a mapping of settings)");
    }
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      String key = e.getKey();
      Setting setting =
          Setting.forYamlKey(key)
              .orElseThrow(
                  () ->
                      new IOException(
                          file + ": unknown key " + key + " (expected: one of "
                              + Setting.yamlKeys() + ")"));
      if (e.getValue().isNull()) {
        continue;
      }
      try {
        values.put(setting, setting.kind().fromYaml(YAML, e.getValue()));
      } catch (IOException | RuntimeException ex) {
        throw new IOException(
            file + ": " + key + ": " + e.getValue() + " (expected: " + setting.kind().typeName
                + ")",
            ex);
      }
    }
    return values;
  }
}
