/* The age payload: HKDF-SHA256 payload key, then ChaCha20-Poly1305 STREAM
 * with a 12-byte nonce = 11-byte big-endian chunk counter || last flag.
 *
 * The per-chunk AEAD runs on OpenSSL's EVP ChaCha20-Poly1305, not on
 * libsodium's, for speed alone: the writer's target is to seal at least as
 * fast as stock age, and libsodium 1.0.18 has no stitched ChaCha20-Poly1305
 * (it makes a ChaCha20 pass, then a Poly1305 pass), while OpenSSL's makes
 * one. The construction is unchanged: the same RFC 8439 AEAD, no associated
 * data, 16-byte tag, same nonces, so the bytes are those libsodium produced
 * (test-age cross-checks the two). Everything else, including the payload
 * key derivation here, stays on libsodium.
 *
 * One EVP context per writer or reader: the key is set once, then only the
 * nonce per chunk, so sealing and opening allocate nothing. */
#include <errno.h>
#include <string.h>

#include "age-internal.h"

_Static_assert(AGE_STREAM_NONCE_LEN == 11 + 1, "11-byte counter and a flag byte");
_Static_assert(AGE_ENC_CHUNK_SIZE <= 0x7fffffff, "EVP lengths are ints");

int age_payload_key(const uint8_t file_key[AGE_FILE_KEY_LEN], const uint8_t nonce[AGE_PAYLOAD_NONCE_LEN],
                    uint8_t ret_key[AGE_STREAM_KEY_LEN]) {
        return age_hkdf_sha256(file_key, AGE_FILE_KEY_LEN, nonce, AGE_PAYLOAD_NONCE_LEN, "payload", ret_key,
                               AGE_STREAM_KEY_LEN);
}

static void stream_nonce(uint64_t counter, bool last, uint8_t n[AGE_STREAM_NONCE_LEN]) {
        memset(n, 0, AGE_STREAM_NONCE_LEN);
        /* A 64-bit counter fills the low 8 of the 11 counter bytes; no file
         * comes near 2^64 chunks. */
        for (unsigned i = 0; i < 8; i++)
                n[10 - i] = (uint8_t) (counter >> (8 * i));
        n[11] = last ? 1 : 0;
}

int age_stream_new(const uint8_t key[AGE_STREAM_KEY_LEN], bool seal, EVP_CIPHER_CTX **ret) {
        EVP_CIPHER_CTX *ctx;
        int ok;

        if (!key || !ret)
                return -EINVAL;
        ctx = EVP_CIPHER_CTX_new();
        if (!ctx)
                return -ENOMEM;
        if (seal)
                ok = EVP_EncryptInit_ex(ctx, EVP_chacha20_poly1305(), NULL, key, NULL);
        else
                ok = EVP_DecryptInit_ex(ctx, EVP_chacha20_poly1305(), NULL, key, NULL);
        if (ok != 1 || EVP_CIPHER_CTX_get_key_length(ctx) != AGE_STREAM_KEY_LEN ||
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, AGE_STREAM_NONCE_LEN, NULL) != 1) {
                EVP_CIPHER_CTX_free(ctx);
                return -EIO;
        }
        *ret = ctx;
        return 0;
}

EVP_CIPHER_CTX *age_stream_free(EVP_CIPHER_CTX *ctx) {
        EVP_CIPHER_CTX_free(ctx); /* cleanses the key schedule; accepts NULL */
        return NULL;
}

int age_stream_seal_chunk(EVP_CIPHER_CTX *ctx, uint64_t counter, bool last, const uint8_t *in, size_t len,
                          uint8_t *out) {
        uint8_t nonce[AGE_STREAM_NONCE_LEN];
        int outl = 0;

        if (!ctx || !out || len > AGE_CHUNK_SIZE || (len > 0 && !in))
                return -EINVAL;
        stream_nonce(counter, last, nonce);
        if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, nonce) != 1)
                goto fail;
        /* No update for an empty chunk: an update with a NULL output would
         * be taken as associated data. */
        if (len > 0 && (EVP_EncryptUpdate(ctx, out, &outl, in, (int) len) != 1 || (size_t) outl != len))
                goto fail;
        if (EVP_EncryptFinal_ex(ctx, out + len, &outl) != 1 || outl != 0)
                goto fail;
        if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, AGE_TAG_LEN, out + len) != 1)
                goto fail;
        return 0;
fail:
        /* Sealing in place may have left part plaintext, part ciphertext. */
        sodium_memzero(out, len + AGE_TAG_LEN);
        return -EIO;
}

int age_stream_open_chunk(EVP_CIPHER_CTX *ctx, uint64_t counter, bool last, uint8_t *buf, size_t len,
                          bool verify_only) {
        uint8_t nonce[AGE_STREAM_NONCE_LEN], tag[AGE_TAG_LEN];
        size_t clen;
        int outl = 0, r = 0;

        if (!ctx || !buf)
                return -EINVAL;
        if (len < AGE_TAG_LEN || len > AGE_ENC_CHUNK_SIZE)
                return -EBADMSG;
        clen = len - AGE_TAG_LEN;
        memcpy(tag, buf + clen, AGE_TAG_LEN);
        stream_nonce(counter, last, nonce);
        if (EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, nonce) != 1 ||
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, AGE_TAG_LEN, tag) != 1)
                return -EIO;

        if (verify_only) {
                /* A trial that may need a second attempt with the other
                 * flag must leave the ciphertext alone, so the plaintext
                 * goes through a scratch buffer and is wiped. */
                uint8_t scratch[4096];

                for (size_t off = 0, n; off < clen && r == 0; off += n) {
                        n = clen - off < sizeof(scratch) ? clen - off : sizeof(scratch);
                        if (EVP_DecryptUpdate(ctx, scratch, &outl, buf + off, (int) n) != 1 ||
                            (size_t) outl != n)
                                r = -EIO;
                }
                if (r == 0 && EVP_DecryptFinal_ex(ctx, scratch, &outl) != 1)
                        r = -EBADMSG;
                sodium_memzero(scratch, sizeof(scratch));
                return r;
        }

        /* In place: the plaintext lands in buf before the tag is checked
         * (EVP_DecryptFinal_ex), so on any failure buf is wiped and nothing
         * of it reaches the caller. */
        if (clen > 0 && (EVP_DecryptUpdate(ctx, buf, &outl, buf, (int) clen) != 1 || (size_t) outl != clen))
                r = -EIO;
        else if (EVP_DecryptFinal_ex(ctx, buf + clen, &outl) != 1)
                r = -EBADMSG; /* the tag does not match */
        else if (outl != 0)
                r = -EIO;
        if (r < 0)
                sodium_memzero(buf, len);
        return r;
}

int age_stream_seal(const uint8_t key[AGE_STREAM_KEY_LEN], uint64_t counter, bool last, const uint8_t *in,
                    size_t len, uint8_t *out) {
        EVP_CIPHER_CTX *ctx = NULL;
        int r;

        r = age_stream_new(key, true, &ctx);
        if (r < 0)
                return r;
        r = age_stream_seal_chunk(ctx, counter, last, in, len, out);
        age_stream_free(ctx);
        return r;
}
