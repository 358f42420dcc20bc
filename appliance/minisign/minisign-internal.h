/* Private to the minisign module: the binary layouts minisign uses and the
 * line helpers shared by the key and signature code. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "minisign.h"

#define MINISIGN_ALG_LEN 2
#define MINISIGN_SK_LEN 64  /* libsodium Ed25519 seed || pk */
#define MINISIGN_CHK_LEN 32 /* BLAKE2b-256 */
#define MINISIGN_SALT_LEN 32
#define MINISIGN_PREHASH_LEN 64 /* BLAKE2b-512 */

/* alg(2) keyid(8) pk(32) */
#define MINISIGN_PUB_BIN_LEN (MINISIGN_ALG_LEN + MINISIGN_KEY_ID_LEN + MINISIGN_PK_LEN)
/* alg(2) keyid(8) sig(64) */
#define MINISIGN_SIG_BIN_LEN (MINISIGN_ALG_LEN + MINISIGN_KEY_ID_LEN + MINISIGN_SIG_LEN)
/* alg kdf chk salt(32) ops(8) mem(8) keyid(8) sk(64) chk(32) */
#define MINISIGN_SEC_BIN_LEN                                                                                \
        (3 * MINISIGN_ALG_LEN + MINISIGN_SALT_LEN + 16 + MINISIGN_KEY_ID_LEN + MINISIGN_SK_LEN +            \
         MINISIGN_CHK_LEN)

#define MINISIGN_UNTRUSTED_PREFIX "untrusted comment: "
#define MINISIGN_TRUSTED_PREFIX "trusted comment: "
/* Bigger key or signature files are refused before parsing. */
#define MINISIGN_FILE_MAX (4 * MINISIGN_COMMENT_MAX)

struct minisign_secret {
        uint8_t key_id[MINISIGN_KEY_ID_LEN];
        uint8_t sk[MINISIGN_SK_LEN];
};

/* A cursor over text that is not necessarily NUL-terminated. */
typedef struct minisign_lines {
        const char *p;
        const char *end;
} minisign_lines;

/* Next line without its "\n" (and without one trailing "\r", as minisign
 * trims); -EBADMSG at end of text, for NUL bytes or a line over max. */
int minisign_next_line(minisign_lines *l, size_t max, const char **ret_line, size_t *ret_len);
/* True when only an empty remainder (or blank line ends) is left. */
bool minisign_lines_at_end(const minisign_lines *l);
/* Decodes exactly len bytes of padded standard base64; -EBADMSG otherwise. */
int minisign_unbase64(const char *b64, size_t b64_len, uint8_t *out, size_t len);
/* Whether a comment is one line of printable text (tab allowed, as in
 * minisign's own "timestamp:…\tfile:…" comments). */
bool minisign_comment_valid(const char *s, size_t len);
