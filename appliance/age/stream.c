/* The age payload: HKDF-SHA256 payload key, then ChaCha20-Poly1305 STREAM
 * with a 12-byte nonce = 11-byte big-endian chunk counter || last flag. */
#include <errno.h>
#include <string.h>

#include "age-internal.h"

_Static_assert(AGE_STREAM_NONCE_LEN == 11 + 1, "11-byte counter and a flag byte");

int age_payload_key(const uint8_t file_key[AGE_FILE_KEY_LEN], const uint8_t nonce[AGE_PAYLOAD_NONCE_LEN],
                    uint8_t ret_key[crypto_aead_chacha20poly1305_ietf_KEYBYTES]) {
        return age_hkdf_sha256(file_key, AGE_FILE_KEY_LEN, nonce, AGE_PAYLOAD_NONCE_LEN, "payload", ret_key,
                               crypto_aead_chacha20poly1305_ietf_KEYBYTES);
}

static void stream_nonce(uint64_t counter, bool last, uint8_t n[AGE_STREAM_NONCE_LEN]) {
        memset(n, 0, AGE_STREAM_NONCE_LEN);
        /* A 64-bit counter fills the low 8 of the 11 counter bytes; no file
         * comes near 2^64 chunks. */
        for (unsigned i = 0; i < 8; i++)
                n[10 - i] = (uint8_t) (counter >> (8 * i));
        n[11] = last ? 1 : 0;
}

void age_stream_seal(const uint8_t *key, uint64_t counter, bool last, const uint8_t *in, size_t len,
                     uint8_t *out) {
        uint8_t nonce[AGE_STREAM_NONCE_LEN];

        stream_nonce(counter, last, nonce);
        crypto_aead_chacha20poly1305_ietf_encrypt_detached(out, out + len, NULL, in, len, NULL, 0, NULL, nonce,
                                                           key);
}

int age_stream_open(const uint8_t *key, uint64_t counter, bool last, uint8_t *buf, size_t len, bool verify_only) {
        uint8_t nonce[AGE_STREAM_NONCE_LEN];

        if (len < AGE_TAG_LEN || len > AGE_ENC_CHUNK_SIZE)
                return -EBADMSG;
        stream_nonce(counter, last, nonce);
        /* libsodium zeroes the output when the tag fails, so a trial that
         * may need a second attempt only verifies (NULL output). */
        if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(verify_only ? NULL : buf, NULL, buf,
                                                               len - AGE_TAG_LEN,
                                                               buf + len - AGE_TAG_LEN, NULL, 0, nonce,
                                                               key) != 0)
                return -EBADMSG;
        return 0;
}
