/* Internals of the age module, shared between its files and never exported.
 * One construction per file: bech32.c, base64.c, hkdf.c, x25519_stanza.c,
 * header.c, stream.c, keys.c, writer.c, reader.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "age.h"

#define AGE_VERSION_LINE "age-encryption.org/v1"
#define AGE_STREAM_NONCE_LEN 12
#define AGE_STREAM_KEY_LEN 32
#define AGE_MAC_LEN 32
#define AGE_WRAPPED_KEY_LEN (AGE_FILE_KEY_LEN + AGE_TAG_LEN)

/* Limits on what an outsider controls in a header (and AGE_HEADER_MAX). */
#define AGE_STANZA_MAX AGE_RECIPIENT_MAX /* stanzas of any type */
#define AGE_STANZA_ARGS_MAX 16
#define AGE_BODY_MAX (16 * 1024) /* decoded stanza body bytes */

_Static_assert(AGE_TAG_LEN == crypto_aead_chacha20poly1305_ietf_ABYTES, "Poly1305 tag");
_Static_assert(AGE_STREAM_NONCE_LEN == crypto_aead_chacha20poly1305_ietf_NPUBBYTES, "IETF nonce");
_Static_assert(AGE_STREAM_KEY_LEN == crypto_aead_chacha20poly1305_ietf_KEYBYTES, "ChaCha20 key");
_Static_assert(AGE_KEY_LEN == crypto_scalarmult_BYTES, "X25519 key");
_Static_assert(AGE_MAC_LEN == crypto_auth_hmacsha256_BYTES, "HMAC-SHA256");

/* ---- bech32.c (BIP 173, without the 90-character limit, as age uses it) */
#define AGE_BECH32_MAX 256
/* Encodes data under hrp (lower case) into out; upper-cases the whole
 * string when upper. Returns the string length or -ENOBUFS. */
int age_bech32_encode(const char *hrp, const uint8_t *data, size_t len, bool upper, char *out,
                      size_t out_size);
/* Decodes s (all lower or all upper case) into hrp (lower-cased) and data.
 * -EINVAL when malformed. */
int age_bech32_decode(const char *s, char *ret_hrp, size_t hrp_size, uint8_t *ret_data, size_t data_size,
                      size_t *ret_len);

/* ---- base64.c: standard alphabet, no padding, canonical only ---------- */
size_t age_b64_encoded_len(size_t len);
/* Writes age_b64_encoded_len(len) characters (no NUL). */
void age_b64_encode(const uint8_t *in, size_t len, char *out);
/* Strict decoding: alphabet only, no padding, zero unused bits.
 * Returns decoded length, -EINVAL or -ENOBUFS. */
int age_b64_decode(const char *in, size_t len, uint8_t *out, size_t out_size);

/* ---- hkdf.c: HKDF-SHA256 (RFC 5869) over crypto_auth_hmacsha256 -------- */
int age_hkdf_sha256(const uint8_t *ikm, size_t ikm_len, const uint8_t *salt, size_t salt_len,
                    const char *info, uint8_t *out, size_t out_len);

/* ---- x25519_stanza.c ------------------------------------------------- */
struct age_stanza {
        const char *args[AGE_STANZA_ARGS_MAX]; /* args[0] is the type */
        size_t n_args;
        const uint8_t *body;
        size_t body_len;
};

/* Wraps file_key for recipient pk with the ephemeral secret eph.
 * Writes the share (32 bytes) and wrapped body (32 bytes). -EINVAL when
 * pk is a low-order point. */
int age_x25519_wrap(const uint8_t pk[AGE_KEY_LEN], const uint8_t eph[AGE_KEY_LEN],
                    const uint8_t file_key[AGE_FILE_KEY_LEN], uint8_t ret_share[AGE_KEY_LEN],
                    uint8_t ret_body[AGE_WRAPPED_KEY_LEN]);
/* Checks an X25519 stanza's shape (the checks that do not need a key).
 * -EINVAL when malformed. */
int age_x25519_check(const struct age_stanza *s);
/* Tries identity sk on an X25519 stanza: 0 and the file key on success,
 * -ENOKEY when it is not for this identity, -EINVAL on a low-order share. */
int age_x25519_unwrap(const struct age_stanza *s, const uint8_t sk[AGE_KEY_LEN],
                      uint8_t ret_file_key[AGE_FILE_KEY_LEN]);

/* ---- header.c -------------------------------------------------------- */
struct age_header {
        char *text;      /* a copy of the header; args point into it */
        uint8_t *bodies; /* decoded stanza bodies; body pointers into it */
        struct age_stanza stanzas[AGE_STANZA_MAX];
        size_t n_stanzas;
        size_t mac_input_len; /* bytes covered by the MAC: up to and including "---" */
        size_t len;           /* whole header including the MAC line's '\n' */
        uint8_t mac[AGE_MAC_LEN];
};

/* Finds the end of a header in buf: the length up to and including the MAC
 * line's newline, 0 when more data is needed, -EINVAL when buf cannot be
 * the start of an age header. */
ssize_t age_header_find_end(const uint8_t *buf, size_t len);
/* Parses exactly len header bytes (as found above). -EINVAL when malformed,
 * -EPROTONOSUPPORT for another version, -E2BIG past a limit. */
int age_header_parse(const uint8_t *buf, size_t len, struct age_header *ret);
void age_header_done(struct age_header *h);
/* Computes the header MAC for the first mac_input_len bytes of the header. */
int age_header_mac(const uint8_t file_key[AGE_FILE_KEY_LEN], const uint8_t *hdr, size_t mac_input_len,
                   uint8_t ret_mac[AGE_MAC_LEN]);

/* Serialises a stanza ("-> args\n" + wrapped base64 body) into out.
 * Returns the length, or -ENOBUFS. */
ssize_t age_stanza_format(const char *const *args, size_t n_args, const uint8_t *body, size_t body_len,
                          char *out, size_t out_size);

/* ---- stream.c: ChaCha20-Poly1305 STREAM ------------------------------
 * The per-chunk AEAD is OpenSSL EVP (see stream.c for why); one context per
 * writer or reader, keyed once, holds the payload key from then on. */
int age_payload_key(const uint8_t file_key[AGE_FILE_KEY_LEN], const uint8_t nonce[AGE_PAYLOAD_NONCE_LEN],
                    uint8_t ret_key[AGE_STREAM_KEY_LEN]);
/* A context keyed with key, for sealing (seal) or opening chunks. 0, -ENOMEM
 * or -EIO. Release with age_stream_free, which wipes the key. */
int age_stream_new(const uint8_t key[AGE_STREAM_KEY_LEN], bool seal, EVP_CIPHER_CTX **ret);
/* Accepts NULL; returns NULL. */
EVP_CIPHER_CTX *age_stream_free(EVP_CIPHER_CTX *ctx);
/* Seals len (<= AGE_CHUNK_SIZE) plaintext bytes from in into out (may equal
 * in) and writes the tag at out + len. 0, -EINVAL, or -EIO with out wiped. */
int age_stream_seal_chunk(EVP_CIPHER_CTX *ctx, uint64_t counter, bool last, const uint8_t *in, size_t len,
                          uint8_t *out);
/* Opens a chunk in place: buf holds len ciphertext bytes (tag included).
 * 0 and plaintext length len - 16 in buf; -EBADMSG when it does not
 * authenticate; -EIO when the cipher itself failed (a local failure, not
 * the file's). On failure buf is wiped, unless verify_only, which checks the
 * tag and leaves buf alone either way. */
int age_stream_open_chunk(EVP_CIPHER_CTX *ctx, uint64_t counter, bool last, uint8_t *buf, size_t len,
                          bool verify_only);
/* One-shot seal with a context of its own (tests, single chunks); not for
 * the writer's hot path. */
int age_stream_seal(const uint8_t key[AGE_STREAM_KEY_LEN], uint64_t counter, bool last, const uint8_t *in,
                    size_t len, uint8_t *out);
