package io.deskrun.server.account;

import io.deskrun.server.support.SecureFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The 32-byte key that encrypts AccessKey secrets at rest. */
public final class MasterKey {
  static final int KEY_BYTES = 32;
  private static final Logger LOG = LoggerFactory.getLogger(MasterKey.class);

  private final byte[] key;

  private MasterKey(byte[] key) {
    this.key = key;
  }

  /**
   * Returns the configured key (Base64), or reads {@code <data-dir>/master.key}, creating it with a
   * new random key and owner-only permissions when it does not exist.
   */
  public static MasterKey load(Optional<String> configured, Path dataDir) {
    if (configured.isPresent()) {
      return new MasterKey(decode(configured.get(), "the master-key setting"));
    }
    Path file = dataDir.resolve("master.key");
    if (!Files.exists(file)) {
      create(file);
    }
    return new MasterKey(read(file));
  }

  byte[] bytes() {
    return key.clone();
  }

  /** Derives a separate key for another purpose, so the master key itself is used only once. */
  public byte[] derive(String purpose) {
    return SecretCipher.hmacSha256(key, purpose.getBytes(StandardCharsets.UTF_8));
  }

  private static void create(Path file) {
    byte[] key = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(key);
    try {
      SecureFiles.writeOwnerOnly(file, Base64.getEncoder().encodeToString(key) + "\n");
      LOG.info("Created a new master key in {}; back it up with the database", file);
    } catch (FileAlreadyExistsException e) {
      // Another server on the same data dir created it first; use theirs.
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the master key file " + file, e);
    }
  }

  private static byte[] read(Path file) {
    try {
      return decode(Files.readString(file, StandardCharsets.US_ASCII), "the file " + file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the master key file " + file, e);
    }
  }

  private static byte[] decode(String text, String source) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(text.strip());
    } catch (IllegalArgumentException e) {
      key = new byte[0];
    }
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          "The master key in " + source + " must be Base64 of exactly " + KEY_BYTES + " bytes.");
    }
    return key;
  }
}
