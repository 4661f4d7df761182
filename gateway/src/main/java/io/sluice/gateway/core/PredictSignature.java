package io.sluice.gateway.core;

import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelParameter;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What TF Serving's {@code :predict} and metadata need of one served version, built once per
 * loaded version ({@link ModelQueries#predictSignature}) rather than on every request.
 *
 * @param metadata the version's metadata: its name and its inputs as metadata shows them (it
 *     covers that one version)
 * @param signatureNames the signature names it answers to: its configured one first, then the
 *     default
 * @param signatures the same names as a set, for the request decoder's check
 */
public record PredictSignature(
    ModelMetadata metadata, List<String> signatureNames, Set<String> signatures) {
  /** Triton's TensorFlow backend parameter naming the served signature. */
  public static final String SIGNATURE_DEF = "TF_SIGNATURE_DEF";
  public static final String DEFAULT_SIGNATURE = "serving_default";

  /** The signature names from the config's {@link #SIGNATURE_DEF} parameter. */
  public static PredictSignature of(ModelMetadata metadata, ModelConfig config) {
    ModelParameter p = config.getParametersMap().get(SIGNATURE_DEF);
    String named = p == null ? "" : p.getStringValue().trim();
    List<String> names = named.isEmpty() || named.equals(DEFAULT_SIGNATURE)
        ? List.of(DEFAULT_SIGNATURE)
        : List.of(named, DEFAULT_SIGNATURE);
    return new PredictSignature(metadata, names, Collections.unmodifiableSet(new HashSet<>(names)));
  }
}
