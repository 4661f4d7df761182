package io.sluice.gateway.fuzz;

import io.sluice.runtime.SafeText;
import java.io.IOException;
import java.nio.file.Path;

/** What no error answer may hold, checked on every answer a fuzz target gets. */
public final class Answers {
  /** The decoders' catch-all: an answer starting so means a check is missing (a finding). */
  public static final String UNDECODABLE = "the inference request cannot be decoded";

  private Answers() {}

  /** Why {@code message}, an error a client got, is not acceptable; null when it is. */
  public static String problem(String message, Path root) {
    if (message == null) {
      return null;
    }
    for (String dir : spellings(root)) {
      if (message.contains(dir)) {
        return "names the server's repository folder";
      }
    }
    if (!SafeText.isClean(message)) {
      return "holds a class name, URL, source location or absolute server path";
    }
    if (message.startsWith(UNDECODABLE)) {
      return "is the decoder's catch-all: no check names this input";
    }
    if (message.contains("the configuration has a value the runtime refuses")) {
      return "is the loader's catch-all: no configuration check names this value";
    }
    if (message.contains("internal error")) {
      return "is an internal error";
    }
    return null;
  }

  private static String[] spellings(Path root) {
    if (root == null) {
      return new String[0];
    }
    String real;
    try {
      real = root.toRealPath().toString();
    } catch (IOException e) {
      real = root.toAbsolutePath().toString();
    }
    return new String[] {root.toAbsolutePath().toString(), real};
  }
}
