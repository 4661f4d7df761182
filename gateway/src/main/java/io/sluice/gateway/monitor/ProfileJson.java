package io.sluice.gateway.monitor;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Reads and writes {@code reference_profile.json}, and names a profile by a hash of its bytes (the
 * {@code profile_hash} of reports and metrics).
 */
public final class ProfileJson {
  /** The file's name beside a version's model file. */
  public static final String FILE_NAME = "reference_profile.json";

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private ProfileJson() {}

  /** A profile and the hash of the bytes it was read from. */
  public record Loaded(ReferenceProfile profile, String hash) {}

  public static Loaded read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ReferenceProfile profile;
    try {
      profile = MAPPER.readValue(bytes, ReferenceProfile.class);
    } catch (IOException | RuntimeException e) {
      throw new IOException(file + ": not a reference profile: " + e.getMessage(), e);
    }
    if (!ReferenceProfile.FORMAT.equals(profile.format())) {
      throw new IOException(file + ": format '" + profile.format() + "' (expected: '"
          + ReferenceProfile.FORMAT + "')");
    }
    return new Loaded(profile, hash(bytes));
  }

  public static byte[] bytes(ReferenceProfile profile) throws IOException {
    return MAPPER.writeValueAsBytes(profile);
  }

  public static void write(ReferenceProfile profile, Path file) throws IOException {
    Files.write(file, bytes(profile));
  }

  /** The first 16 hex digits of the SHA-256 of {@code bytes}. */
  static String hash(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
