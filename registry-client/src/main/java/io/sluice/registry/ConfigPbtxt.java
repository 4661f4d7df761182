package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.TextFormat;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;

/**
 * Reads and writes Triton's {@code config.pbtxt}: protobuf text format against {@code ModelConfig}.
 *
 * <p>Parsing is as strict as Triton's: an unknown field, a syntax error, a singular field given
 * twice or two members of one {@code oneof} (say {@code dynamic_batching} and {@code
 * sequence_batching}) are all errors, reported as {@code <source>:<line>:<column>: <what>}. A typo
 * that parsed silently would serve a model with a configuration nobody wrote. The same parser
 * serves the repository's files and the configuration override of the repository load API.
 */
public final class ConfigPbtxt {

  private static final TextFormat.Parser PARSER =
      TextFormat.Parser.newBuilder()
          .setAllowUnknownFields(false)
          .setSingularOverwritePolicy(
              TextFormat.Parser.SingularOverwritePolicy.FORBID_SINGULAR_OVERWRITES)
          .build();

  private ConfigPbtxt() {}

  /**
   * Parses one configuration.
   *
   * @param text the text-format configuration
   * @param sourceName where the text came from (a file path, "load request"), put in front of the
   *     position of an error
   * @throws RepositoryException of kind {@link RepositoryException.Kind#INVALID_CONFIG} when the
   *     text does not parse
   */
  public static ModelConfig parse(String text, String sourceName) throws RepositoryException {
    requireNonNull(text, "text");
    requireNonNull(sourceName, "sourceName");
    ModelConfig.Builder builder = ModelConfig.newBuilder();
    try {
      PARSER.merge(text, builder);
    } catch (TextFormat.ParseException e) {
      // The message already starts with "<line>:<column>: "; unknown fields come one per line,
      // and one line reads better in an HTTP error body or a log.
      String where = e.getMessage().replaceAll("\\s*\\n\\s*", " ");
      throw new RepositoryException(
          RepositoryException.Kind.INVALID_CONFIG, sourceName + ":" + where, e);
    }
    return builder.build();
  }

  /** Writes a configuration in the text format that {@link #parse} reads back unchanged. */
  public static String print(ModelConfig config) {
    return TextFormat.printer().printToString(requireNonNull(config, "config"));
  }
}
