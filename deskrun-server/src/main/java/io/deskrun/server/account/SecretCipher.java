package io.deskrun.server.account;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts AccessKey secrets with AES-256-GCM. The stored text is Base64 of a random 12-byte nonce
 * followed by the ciphertext and its 16-byte tag. The AccessKey id is bound in as associated data,
 * so a ciphertext copied to another key's row does not decrypt.
 */
final class SecretCipher {
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  SecretCipher(MasterKey masterKey) {
    this.key = new SecretKeySpec(masterKey.bytes(), "AES");
  }

  String encrypt(String accessKeyId, String secret) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    byte[] sealed =
        run(Cipher.ENCRYPT_MODE, nonce, accessKeyId, secret.getBytes(StandardCharsets.UTF_8));
    byte[] stored = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
    System.arraycopy(sealed, 0, stored, NONCE_BYTES, sealed.length);
    return Base64.getEncoder().encodeToString(stored);
  }

  /**
   * Decrypts a stored secret.
   *
   * @throws IllegalStateException when the master key is not the one the secret was stored with
   */
  String decrypt(String accessKeyId, String stored) {
    byte[] bytes = Base64.getDecoder().decode(stored);
    byte[] nonce = Arrays.copyOf(bytes, NONCE_BYTES);
    byte[] sealed = Arrays.copyOfRange(bytes, NONCE_BYTES, bytes.length);
    return new String(run(Cipher.DECRYPT_MODE, nonce, accessKeyId, sealed), StandardCharsets.UTF_8);
  }

  private byte[] run(int mode, byte[] nonce, String accessKeyId, byte[] input) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(accessKeyId.getBytes(StandardCharsets.UTF_8));
      return cipher.doFinal(input);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "Cannot decrypt the secret of AccessKey "
              + accessKeyId
              + "; is the master key the one the database was created with?",
          e);
    }
  }

  static byte[] hmacSha256(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }
}
