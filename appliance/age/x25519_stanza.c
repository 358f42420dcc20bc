/* The X25519 recipient stanza:
 *   -> X25519 base64(ephemeral share)
 *   base64(ChaCha20-Poly1305(HKDF(shared, share || recipient, label), file key))
 */
#include <errno.h>
#include <string.h>

#include "age-internal.h"

#define X25519_LABEL "age-encryption.org/v1/X25519"

static const uint8_t zero_nonce[AGE_STREAM_NONCE_LEN];

static int wrap_key(const uint8_t shared[AGE_KEY_LEN], const uint8_t share[AGE_KEY_LEN],
                    const uint8_t pk[AGE_KEY_LEN],
                    uint8_t ret_key[crypto_aead_chacha20poly1305_ietf_KEYBYTES]) {
        uint8_t salt[2 * AGE_KEY_LEN];
        int r;

        memcpy(salt, share, AGE_KEY_LEN);
        memcpy(salt + AGE_KEY_LEN, pk, AGE_KEY_LEN);
        r = age_hkdf_sha256(shared, AGE_KEY_LEN, salt, sizeof(salt), X25519_LABEL, ret_key,
                            crypto_aead_chacha20poly1305_ietf_KEYBYTES);
        return r;
}

int age_x25519_wrap(const uint8_t pk[AGE_KEY_LEN], const uint8_t eph[AGE_KEY_LEN],
                    const uint8_t file_key[AGE_FILE_KEY_LEN], uint8_t ret_share[AGE_KEY_LEN],
                    uint8_t ret_body[AGE_WRAPPED_KEY_LEN]) {
        uint8_t shared[AGE_KEY_LEN], key[crypto_aead_chacha20poly1305_ietf_KEYBYTES], share[AGE_KEY_LEN];
        int r;

        if (crypto_scalarmult_base(share, eph) != 0)
                return -EINVAL;
        /* A low-order recipient gives an all-zero secret: refuse it. */
        if (crypto_scalarmult(shared, eph, pk) != 0 || sodium_is_zero(shared, sizeof(shared))) {
                sodium_memzero(shared, sizeof(shared));
                return -EINVAL;
        }
        r = wrap_key(shared, share, pk, key);
        sodium_memzero(shared, sizeof(shared));
        if (r < 0)
                return r;
        crypto_aead_chacha20poly1305_ietf_encrypt(ret_body, NULL, file_key, AGE_FILE_KEY_LEN, NULL, 0, NULL,
                                                  zero_nonce, key);
        sodium_memzero(key, sizeof(key));
        memcpy(ret_share, share, AGE_KEY_LEN);
        return 0;
}

static int decode_share(const struct age_stanza *s, uint8_t ret_share[AGE_KEY_LEN]) {
        const char *arg = s->args[1];
        size_t len = strlen(arg);
        int r;

        if (len != age_b64_encoded_len(AGE_KEY_LEN))
                return -EINVAL;
        r = age_b64_decode(arg, len, ret_share, AGE_KEY_LEN);
        if (r != AGE_KEY_LEN)
                return -EINVAL;
        return 0;
}

int age_x25519_check(const struct age_stanza *s) {
        uint8_t share[AGE_KEY_LEN];

        if (s->n_args != 2 || strcmp(s->args[0], "X25519") != 0)
                return -EINVAL;
        if (decode_share(s, share) < 0)
                return -EINVAL;
        /* The body length is checked before any decryption is attempted. */
        if (s->body_len != AGE_WRAPPED_KEY_LEN)
                return -EINVAL;
        return 0;
}

int age_x25519_unwrap(const struct age_stanza *s, const uint8_t sk[AGE_KEY_LEN],
                      uint8_t ret_file_key[AGE_FILE_KEY_LEN]) {
        uint8_t share[AGE_KEY_LEN], pk[AGE_KEY_LEN], shared[AGE_KEY_LEN];
        uint8_t key[crypto_aead_chacha20poly1305_ietf_KEYBYTES], file_key[AGE_FILE_KEY_LEN];
        int r;

        r = age_x25519_check(s);
        if (r < 0)
                return r;
        (void) decode_share(s, share);
        if (crypto_scalarmult_base(pk, sk) != 0)
                return -EINVAL;
        if (crypto_scalarmult(shared, sk, share) != 0 || sodium_is_zero(shared, sizeof(shared))) {
                sodium_memzero(shared, sizeof(shared));
                return -EINVAL;
        }
        r = wrap_key(shared, share, pk, key);
        sodium_memzero(shared, sizeof(shared));
        if (r < 0)
                return r;
        r = crypto_aead_chacha20poly1305_ietf_decrypt(file_key, NULL, NULL, s->body, s->body_len, NULL, 0,
                                                      zero_nonce, key);
        sodium_memzero(key, sizeof(key));
        if (r != 0)
                return -ENOKEY;
        memcpy(ret_file_key, file_key, AGE_FILE_KEY_LEN);
        sodium_memzero(file_key, sizeof(file_key));
        return 0;
}
