package io.sluice.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The one JSON writer of results: snake_case, indented, so scripts and people can read it. */
final class Json {
  static final ObjectMapper MAPPER =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private Json() {}

  static String write(Object value) throws IOException {
    return MAPPER.writeValueAsString(value);
  }

  /** Writes to {@code out}, or to standard output when {@code out} is null. */
  static void write(Object value, Path out) throws IOException {
    String text = write(value) + "\n";
    if (out == null) {
      System.out.print(text);
      return;
    }
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(out, text);
  }
}
