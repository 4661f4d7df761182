package io.sluice.runtime;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What may reach a client of an error text built from an exception's message: no Java class
 * names, no library URLs, no source locations and no absolute paths of this server.
 *
 * <p>Libraries put all of these in their messages (gson: {@code
 * com.google.gson.stream.MalformedJsonException: … See https://github.com/…}; Jackson: {@code
 * (…, from `StreamReadConstraints.getMaxNestingDepth()`)}; ONNX Runtime: {@code Load model from
 * /srv/models/m/1/model.onnx failed}, {@code …/gemm_helper.h:14}). {@link #clean} removes them
 * and keeps the rest of the sentence, which is what the client can act on. The front ends apply
 * it where a {@link Status} becomes a protocol answer ({@code http.HttpErrors}, {@code
 * grpc.GrpcStatuses}), and the model lifecycle applies it to every load reason, so a message built
 * anywhere cannot leak them.
 *
 * <p>An absolute path is recognised by its first segment being a folder at the root of this
 * machine's file system ({@code /home/…}, {@code /tmp/…}, {@code /etc/…}; listed once), which
 * keeps the protocol's own paths ({@code /v2/models/…}) intact; such a path is replaced by its
 * last segment. Paths the repository knows are made relative before they get here.
 */
public final class SafeText {
  /*
   * Every pattern starts only where a token starts (a look-behind), never backtracks into a run
   * it has read (possessive quantifiers) and repeats no group (java.util.regex recurses once per
   * repetition of a group, so a long run overflows the stack): the text holds client input (a
   * 70 KB input name made the first version of these take over a minute), so matching must stay
   * linear in its length and flat in its stack.
   */
  /** {@code com.google.gson.stream.MalformedJsonException}, {@code java.lang.Foo$Bar}. */
  private static final Pattern CLASS_NAME =
      Pattern.compile("(?<![\\w.$])[a-z][a-z0-9_]*+\\.[a-z][a-z0-9_.]*+(?<=\\.)[A-Z][A-Za-z0-9_$]*+"
          + "(?:\\.[a-z][A-Za-z0-9_]*+\\(\\))?+(?::\\s*+)?+");
  /** A URL, with the "See" or "see" that introduces it. */
  private static final Pattern URL =
      Pattern.compile("(?i)(?:(?<![\\w])(?:see|visit)\\s++)?(?<![\\w])(?:https?|ftp|file|jar)"
          + "://\\S++");
  /** Jackson's ", from `StreamReadConstraints.getMaxNestingDepth()`". */
  private static final Pattern CODE_REFERENCE = Pattern.compile(",?+\\s*+from\\s++`[^`]*+`");
  /** A source location, {@code foo/bar/gemm_helper.h:14} or {@code Foo.java:12}. */
  private static final Pattern SOURCE_LOCATION =
      Pattern.compile("(?<![\\w.+/-])[\\w./+-]++"
          + "(?<=\\.(?:h|hh|hpp|c|cc|cpp|cxx|cu|java|py|kt|scala)):\\d++");
  private static final Pattern SPACES = Pattern.compile("[ \\t]{2,}+");
  /** Longer messages are cut: they only grow by echoing a client's input back. */
  static final int MAX_LENGTH = 2048;
  private static final Pattern ABSOLUTE_PATH = absolutePathPattern();

  private SafeText() {}

  /** {@code message} without class names, URLs, source locations or absolute server paths. */
  public static String clean(String message) {
    if (message == null || message.isEmpty()) {
      return "";
    }
    String s = message.length() > MAX_LENGTH
        ? message.substring(0, MAX_LENGTH) + "… (cut)"
        : message;
    s = URL.matcher(s).replaceAll("");
    s = CODE_REFERENCE.matcher(s).replaceAll("");
    s = SOURCE_LOCATION.matcher(s).replaceAll("");
    s = CLASS_NAME.matcher(s).replaceAll("");
    if (ABSOLUTE_PATH != null) {
      Matcher m = ABSOLUTE_PATH.matcher(s);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        m.appendReplacement(out, Matcher.quoteReplacement(lastSegment(m.group())));
      }
      m.appendTail(out);
      s = out.toString();
    }
    s = s.replace('\n', ' ').replace('\r', ' ');
    s = SPACES.matcher(s).replaceAll(" ").strip();
    return s.isEmpty() ? "error" : s;
  }

  /**
   * A message for an exception a client caused but whose own text is not ours: its message
   * cleaned, or {@code fallback} when it has none.
   */
  public static String message(Throwable t, String fallback) {
    String m = t == null ? null : t.getMessage();
    if (m == null || m.isBlank()) {
      return fallback;
    }
    String cleaned = clean(m);
    return cleaned.equals("error") ? fallback : cleaned;
  }

  /** True when {@code text} holds nothing {@link #clean} would remove (for tests and asserts). */
  public static boolean isClean(String text) {
    if (text == null) {
      return true;
    }
    return !URL.matcher(text).find()
        && !CODE_REFERENCE.matcher(text).find()
        && !SOURCE_LOCATION.matcher(text).find()
        && !CLASS_NAME.matcher(text).find()
        && (ABSOLUTE_PATH == null || !ABSOLUTE_PATH.matcher(text).find());
  }

  private static String lastSegment(String path) {
    String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    int slash = p.lastIndexOf('/');
    String last = slash < 0 ? p : p.substring(slash + 1);
    return last.isEmpty() ? "(path)" : last;
  }

  /**
   * {@code /<a root folder>/…} where the root folder exists on this machine; null on a file
   * system without a single root (nothing to match against).
   */
  private static Pattern absolutePathPattern() {
    List<String> names = new ArrayList<>();
    // The usual ones, whether or not this machine has them, and whatever it has besides.
    for (String n : List.of("bin", "boot", "dev", "etc", "home", "lib", "lib64", "media", "mnt",
        "opt", "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var", "work", "data",
        "models", "app", "workspace", "private", "Users", "Volumes")) {
      names.add(Pattern.quote(n));
    }
    if (File.separatorChar == '/') {
      String[] top = new File("/").list();
      if (top != null) {
        for (String n : top) {
          // /v2 is the protocol's, never a server path, even where such a folder exists.
          if (!n.isEmpty() && !n.toLowerCase(Locale.ROOT).equals("v2")
              && n.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_' || c == '-'
                  || c == '.')) {
            names.add(Pattern.quote(n));
          }
        }
      }
    }
    return Pattern.compile(
        "(?<![\\w.:/-])/(?:" + String.join("|", names) + ")(?=[/\\s'\",;:)\\]]|$)"
            + "[^\\s'\",;:)\\]]*+");
  }
}
