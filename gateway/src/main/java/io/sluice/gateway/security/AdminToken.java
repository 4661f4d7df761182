package io.sluice.gateway.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin token, read from a file: the file's content with surrounding whitespace trimmed. Only
 * its SHA-256 digest is kept, and a presented token is compared by digest with {@link
 * MessageDigest#isEqual}, which takes the same time wherever the two differ. Neither the token nor
 * its digest is ever logged.
 *
 * <p>{@link #reload()} reads the file again; a file that cannot be read or holds no usable token
 * keeps the token that was in force, so a half-written file never locks the operator out.
 */
final class AdminToken {
  private static final Logger log = LoggerFactory.getLogger(AdminToken.class);

  private final Path file;
  private volatile byte[] digest;

  private AdminToken(Path file, byte[] digest) {
    this.file = file;
    this.digest = digest;
  }

  /**
   * Reads {@code file}.
   *
   * @throws IllegalArgumentException when it cannot be read or holds no usable token
   */
  static AdminToken read(Path file) {
    try {
      return new AdminToken(file, digestOf(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("--admin-token-file " + file + ": " + e.getMessage(), e);
    }
  }

  Path file() {
    return file;
  }

  /** Whether {@code presented} is the token; constant time in the token's content. */
  boolean matches(String presented) {
    return MessageDigest.isEqual(sha256(presented.getBytes(StandardCharsets.UTF_8)), digest);
  }

  /**
   * Reads the file again.
   *
   * @throws IOException when it cannot be read or holds no usable token; the old token stays
   */
  void reload() throws IOException {
    digest = digestOf(file);
  }

  private static byte[] digestOf(Path file) throws IOException {
    String token = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (token.isEmpty()) {
      throw new IOException("the file is empty (expected: the token, on one line)");
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new IOException(
            "the token has a space, control or non-ASCII character at offset " + i
                + " (expected: printable ASCII, as a bearer token in an HTTP header)");
      }
    }
    warnIfOthersCanRead(file);
    return sha256(token.getBytes(StandardCharsets.UTF_8));
  }

  private static void warnIfOthersCanRead(Path file) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.contains(PosixFilePermission.OTHERS_READ)) {
        log.warn("--admin-token-file {} is readable by every user (chmod 600 it)", file);
      }
    } catch (IOException | UnsupportedOperationException e) {
      // Not a POSIX file system: nothing to warn about.
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
