package io.sluice.registry.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.sluice.registry.DeclaredSignature;
import io.sluice.registry.RepositoryException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the gateway reads from a version's {@code MLmodel} file: the ONNX flavor's model file and
 * the signature. Unknown keys are ignored, as MLflow adds some in most releases. A model without
 * an {@code onnx} flavor (pyfunc only, for one) is refused: Sluice runs graphs, not Python.
 *
 * @param modelFile the onnx flavor's {@code data}, relative to the version's root
 * @param signature the tensor signature; empty when there is none, or when it is column-based
 *     (a DataFrame schema, which names no tensor to check)
 */
public record MlModel(String modelFile, Optional<DeclaredSignature> signature) {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @throws RepositoryException INVALID_CONFIG when the file does not parse, has no onnx flavor or
   *     a signature that is not MLflow's
   */
  public static MlModel parse(String text, String source) throws RepositoryException {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (IOException e) {
      throw invalid(source, "not YAML: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw invalid(source, "not a mapping", null);
    }
    JsonNode onnx = root.path("flavors").path("onnx");
    if (!onnx.isObject()) {
      List<String> flavors = new ArrayList<>();
      root.path("flavors").fieldNames().forEachRemaining(flavors::add);
      throw invalid(source, "flavors " + flavors + " (expected: an onnx flavor)", null);
    }
    String data = onnx.path("data").asText("model.onnx");
    JsonNode sig = root.path("signature");
    Optional<DeclaredSignature> signature = Optional.empty();
    if (sig.isObject() && sig.hasNonNull("inputs")) {
      List<DeclaredSignature.Tensor> inputs = tensors(sig.path("inputs"), source, "inputs");
      List<DeclaredSignature.Tensor> outputs = sig.hasNonNull("outputs")
          ? tensors(sig.path("outputs"), source, "outputs") : List.of();
      if (inputs != null && outputs != null) {
        signature = Optional.of(new DeclaredSignature(inputs, outputs));
      }
    }
    return new MlModel(data, signature);
  }

  /** The tensors of one side, or null when the schema is column-based. */
  private static List<DeclaredSignature.Tensor> tensors(JsonNode field, String source,
      String side) throws RepositoryException {
    JsonNode specs;
    try {
      // MLflow stores each side as a JSON string inside the YAML.
      specs = field.isTextual() ? JSON.readTree(field.asText()) : field;
    } catch (IOException e) {
      throw invalid(source, "signature " + side + " is not JSON: " + e.getMessage(), e);
    }
    if (!specs.isArray()) {
      throw invalid(source, "signature " + side + " (expected: a JSON list)", null);
    }
    List<DeclaredSignature.Tensor> out = new ArrayList<>();
    for (JsonNode s : specs) {
      if (!"tensor".equals(s.path("type").asText())) {
        return null;
      }
      JsonNode spec = s.path("tensor-spec");
      String dtype = spec.path("dtype").asText("");
      if (dtype.isEmpty() || !spec.path("shape").isArray()) {
        throw invalid(source, "signature " + side + ": " + s
            + " (expected: a tensor-spec with dtype and shape)", null);
      }
      long[] shape = new long[spec.path("shape").size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = spec.path("shape").get(i).asLong();
      }
      Optional<String> name = s.hasNonNull("name") ? Optional.of(s.get("name").asText())
          : Optional.empty();
      out.add(new DeclaredSignature.Tensor(name, dtype, shape));
    }
    return out;
  }

  private static RepositoryException invalid(String source, String what, Throwable cause) {
    return new RepositoryException(RepositoryException.Kind.INVALID_CONFIG,
        source + ": " + what, cause);
  }
}
