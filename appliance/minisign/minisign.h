/* minisign-format Ed25519 keys and signatures (https://jedisct1.github.io/minisign/).
 *
 * The device key is a minisign secret key stored without a password
 * (kdf "\0\0", as `minisign -G -W` writes it), readable only by the
 * recorder's user. Files it signs verify with stock
 * `minisign -V -p device.pub -m FILE`. Signatures are the prehashed "ED"
 * kind (BLAKE2b-512 of the file), minisign's default since 0.8; the
 * verifier accepts legacy "Ed" signatures too.
 *
 * Functions return 0 or -errno:
 *   -EBADMSG      malformed key or signature text
 *   -EKEYREJECTED the signature's key id is not the given key's
 *   -EBADE        the signature (or the global signature over the trusted
 *                 comment) does not verify
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define MINISIGN_KEY_ID_LEN 8
#define MINISIGN_PK_LEN 32
#define MINISIGN_SIG_LEN 64
#define MINISIGN_COMMENT_MAX 1024 /* longer comments are refused */

typedef struct minisign_public {
        uint8_t key_id[MINISIGN_KEY_ID_LEN]; /* little-endian as stored in the file */
        uint8_t pk[MINISIGN_PK_LEN];
} minisign_public;

/* Secret key in sodium_malloc'd, locked memory; wiped on free. */
typedef struct minisign_secret minisign_secret;

/* Makes a new key pair (for studio-keys device-init). */
int minisign_secret_generate(minisign_secret **ret);
/* Loads an unencrypted minisign secret key file; -ENOKEY for a
 * password-protected one (with a message telling to re-create it with -W). */
int minisign_secret_load(const char *path, minisign_secret **ret);
/* Writes the secret key file (mode 0600) and the public key file (0644),
 * with minisign's "untrusted comment:" first lines. */
int minisign_secret_save(const minisign_secret *sk, const char *secret_path, const char *public_path);
minisign_secret *minisign_secret_free(minisign_secret *sk);
void minisign_secret_public(const minisign_secret *sk, minisign_public *ret);

/* Public key: a minisign .pub file, or just its base64 line. */
int minisign_public_load(const char *path, minisign_public *ret);
int minisign_public_parse(const char *text, minisign_public *ret);
/* "RWQ…" base64 form (caller frees). */
char *minisign_public_to_base64(const minisign_public *pk);
/* Key id as 16 upper-case hex digits as minisign prints it (big-endian). */
void minisign_key_id_hex(const uint8_t key_id[MINISIGN_KEY_ID_LEN], char out[2 * MINISIGN_KEY_ID_LEN + 1]);

/* Signs msg; returns the whole .minisig text (caller frees). The trusted
 * comment must be one line without control characters. */
int minisign_sign_buf(const minisign_secret *sk, const uint8_t *msg, size_t len, const char *trusted_comment,
                      char **ret_sig_text);
/* Signs the file at path and writes path.minisig atomically. */
int minisign_sign_file(const minisign_secret *sk, const char *path, const char *trusted_comment);

/* Verifies sig_text (a .minisig) over msg with pk. On success returns the
 * trusted comment (caller frees) when ret_trusted_comment is non-NULL. */
int minisign_verify_buf(const minisign_public *pk, const uint8_t *msg, size_t len, const char *sig_text,
                        size_t sig_len, char **ret_trusted_comment);
/* Verifies path against path.minisig. */
int minisign_verify_file(const minisign_public *pk, const char *path, char **ret_trusted_comment);
/* Verifies the open regular file fd (read from its current offset; a
 * legacy signature reads it whole, bounded) against sig_text. */
int minisign_verify_fd(const minisign_public *pk, int fd, const char *sig_text, size_t sig_len,
                       char **ret_trusted_comment);
/* Reads only the key id a .minisig names (to report UNTRUSTED-KEY). */
int minisign_sig_key_id(const char *sig_text, size_t sig_len, uint8_t ret_key_id[MINISIGN_KEY_ID_LEN]);

/* Raw Ed25519 over msg, for custody log entries (no minisign framing). */
void minisign_sign_detached(const minisign_secret *sk, const uint8_t *msg, size_t len,
                            uint8_t ret_sig[MINISIGN_SIG_LEN]);
int minisign_verify_detached(const minisign_public *pk, const uint8_t *msg, size_t len,
                             const uint8_t sig[MINISIGN_SIG_LEN]);
