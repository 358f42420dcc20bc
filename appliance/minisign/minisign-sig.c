/* minisign signatures: the prehashed "ED" kind we write and the legacy "Ed"
 * kind we still accept, each with the global signature over the trusted
 * comment. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "fsutil.h"
#include "minisign-internal.h"
#include "util.h"

_Static_assert(MINISIGN_SIG_LEN == crypto_sign_ed25519_BYTES, "Ed25519 signature size");
_Static_assert(MINISIGN_PREHASH_LEN == crypto_generichash_BYTES_MAX, "BLAKE2b-512 prehash");

/* Legacy (non-prehashed) messages are loaded whole, as minisign does. */
#define MINISIGN_LEGACY_MAX ((size_t) 1 << 30)

typedef struct minisign_sig {
        bool hashed;
        uint8_t key_id[MINISIGN_KEY_ID_LEN];
        uint8_t sig[MINISIGN_SIG_LEN];
        uint8_t global_sig[MINISIGN_SIG_LEN];
        const char *comment; /* trusted comment, points into the text */
        size_t comment_len;
} minisign_sig;

static bool has_prefix(const char *line, size_t len, const char *prefix) {
        size_t n = strlen(prefix);
        return len >= n && memcmp(line, prefix, n) == 0;
}

static int sig_parse_sig_line(const char *line, size_t len, minisign_sig *s) {
        uint8_t bin[MINISIGN_SIG_BIN_LEN];
        int r = minisign_unbase64(line, len, bin, sizeof bin);

        if (r < 0)
                return r;
        if (memcmp(bin, "ED", 2) == 0)
                s->hashed = true;
        else if (memcmp(bin, "Ed", 2) == 0)
                s->hashed = false;
        else
                return -EBADMSG;
        memcpy(s->key_id, bin + 2, MINISIGN_KEY_ID_LEN);
        memcpy(s->sig, bin + 2 + MINISIGN_KEY_ID_LEN, MINISIGN_SIG_LEN);
        return 0;
}

static int sig_parse(const char *text, size_t len, minisign_sig *ret) {
        const size_t untrusted_max = strlen(MINISIGN_UNTRUSTED_PREFIX) + MINISIGN_COMMENT_MAX;
        const size_t trusted_max = strlen(MINISIGN_TRUSTED_PREFIX) + MINISIGN_COMMENT_MAX;
        const size_t b64_max = 2 * MINISIGN_SIG_BIN_LEN;
        minisign_lines l = {text, text + len};
        minisign_sig s = {};
        const char *line;
        size_t line_len;
        int r;

        if (!text || len > MINISIGN_FILE_MAX)
                return -EBADMSG;
        r = minisign_next_line(&l, untrusted_max, &line, &line_len);
        if (r < 0 || !has_prefix(line, line_len, MINISIGN_UNTRUSTED_PREFIX))
                return -EBADMSG;
        r = minisign_next_line(&l, b64_max, &line, &line_len);
        if (r < 0 || sig_parse_sig_line(line, line_len, &s) < 0)
                return -EBADMSG;
        r = minisign_next_line(&l, trusted_max, &line, &line_len);
        if (r < 0 || !has_prefix(line, line_len, MINISIGN_TRUSTED_PREFIX))
                return -EBADMSG;
        s.comment = line + strlen(MINISIGN_TRUSTED_PREFIX);
        s.comment_len = line_len - strlen(MINISIGN_TRUSTED_PREFIX);
        if (!minisign_comment_valid(s.comment, s.comment_len))
                return -EBADMSG;
        r = minisign_next_line(&l, b64_max, &line, &line_len);
        if (r < 0 || minisign_unbase64(line, line_len, s.global_sig, MINISIGN_SIG_LEN) < 0)
                return -EBADMSG;
        if (!minisign_lines_at_end(&l))
                return -EBADMSG;
        *ret = s;
        return 0;
}

int minisign_sig_key_id(const char *sig_text, size_t sig_len, uint8_t ret_key_id[MINISIGN_KEY_ID_LEN]) {
        minisign_sig s;
        int r = sig_parse(sig_text, sig_len, &s);

        if (r < 0)
                return r;
        memcpy(ret_key_id, s.key_id, MINISIGN_KEY_ID_LEN);
        return 0;
}

static int global_sig_verify(const minisign_public *pk, const minisign_sig *s) {
        _cleanup_free_ uint8_t *buf = malloc(MINISIGN_SIG_LEN + s->comment_len);
        int r;

        if (!buf)
                return -ENOMEM;
        memcpy(buf, s->sig, MINISIGN_SIG_LEN);
        memcpy(buf + MINISIGN_SIG_LEN, s->comment, s->comment_len);
        r = crypto_sign_ed25519_verify_detached(s->global_sig, buf, MINISIGN_SIG_LEN + s->comment_len,
                                                pk->pk);
        return r == 0 ? 0 : -EBADE;
}

/* m is the BLAKE2b-512 prehash for "ED" signatures, the message for "Ed". */
static int sig_check(const minisign_public *pk, const minisign_sig *s, const uint8_t *m, size_t len,
                     char **ret_trusted_comment) {
        char *comment = NULL;
        int r;

        if (sodium_memcmp(s->key_id, pk->key_id, MINISIGN_KEY_ID_LEN) != 0)
                return -EKEYREJECTED;
        if (crypto_sign_ed25519_verify_detached(s->sig, m, len, pk->pk) != 0)
                return -EBADE;
        r = global_sig_verify(pk, s);
        if (r < 0)
                return r;
        if (ret_trusted_comment) {
                comment = strndup(s->comment, s->comment_len);
                if (!comment)
                        return -ENOMEM;
                *ret_trusted_comment = comment;
        }
        return 0;
}

/* Readies libsodium and parses the signature text. */
static int sig_load(const char *sig_text, size_t sig_len, minisign_sig *ret) {
        if (sodium_init() < 0)
                return -EIO;
        return sig_parse(sig_text, sig_len, ret);
}

int minisign_verify_buf(const minisign_public *pk, const uint8_t *msg, size_t len, const char *sig_text,
                        size_t sig_len, char **ret_trusted_comment) {
        uint8_t prehash[MINISIGN_PREHASH_LEN];
        minisign_sig s;
        int r;

        r = sig_load(sig_text, sig_len, &s);
        if (r < 0)
                return r;
        if (!s.hashed)
                return sig_check(pk, &s, msg, len, ret_trusted_comment);
        crypto_generichash(prehash, sizeof prehash, msg, len, NULL, 0);
        return sig_check(pk, &s, prehash, sizeof prehash, ret_trusted_comment);
}

static int prehash_chunk(const uint8_t *buf, size_t len, void *userdata) {
        crypto_generichash_update(userdata, buf, len);
        return 0;
}

static int hash_fd(int fd, uint8_t ret[MINISIGN_PREHASH_LEN]) {
        crypto_generichash_state st;
        int r;

        crypto_generichash_init(&st, NULL, 0, MINISIGN_PREHASH_LEN);
        r = fs_read_chunks(fd, FS_READ_ALL, prehash_chunk, &st, NULL);
        if (r < 0)
                return r;
        crypto_generichash_final(&st, ret, MINISIGN_PREHASH_LEN);
        return 0;
}

static int hash_file(const char *path, uint8_t ret[MINISIGN_PREHASH_LEN]) {
        _cleanup_close_ int fd = fs_open_regular(path, NULL);

        if (fd < 0)
                return fd;
        return hash_fd(fd, ret);
}

int minisign_verify_fd(const minisign_public *pk, int fd, const char *sig_text, size_t sig_len,
                       char **ret_trusted_comment) {
        _cleanup_free_ char *msg = NULL;
        uint8_t prehash[MINISIGN_PREHASH_LEN];
        size_t msg_len = 0;
        minisign_sig s;
        int r;

        r = sig_load(sig_text, sig_len, &s);
        if (r < 0)
                return r;
        if (s.hashed) {
                r = hash_fd(fd, prehash);
                return r < 0 ? r : sig_check(pk, &s, prehash, sizeof prehash, ret_trusted_comment);
        }
        r = fs_read_fd(fd, MINISIGN_LEGACY_MAX, &msg, &msg_len);
        if (r < 0)
                return r;
        return sig_check(pk, &s, (const uint8_t *) msg, msg_len, ret_trusted_comment);
}

static char *sig_path(const char *path) {
        char *p = NULL;
        return asprintf(&p, "%s.minisig", path) < 0 ? NULL : p;
}

int minisign_verify_file(const minisign_public *pk, const char *path, char **ret_trusted_comment) {
        _cleanup_free_ char *sp = sig_path(path), *text = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t text_len;
        minisign_sig s;
        int r;

        if (!sp)
                return -ENOMEM;
        r = fs_read_file(sp, MINISIGN_FILE_MAX, &text, &text_len);
        if (r == -EFBIG)
                return -EBADMSG;
        if (r < 0)
                return r;
        r = sig_parse(text, text_len, &s); /* a malformed signature is reported before the file */
        if (r < 0)
                return r;
        fd = fs_open_regular(path, NULL);
        if (fd < 0)
                return fd;
        return minisign_verify_fd(pk, fd, text, text_len, ret_trusted_comment);
}

static char *b64_dup(const uint8_t *bin, size_t len) {
        size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
        char *b64 = malloc(n);

        if (b64)
                sodium_bin2base64(b64, n, bin, len, sodium_base64_VARIANT_ORIGINAL);
        return b64;
}

static int sig_format(const minisign_secret *sk, const uint8_t prehash[MINISIGN_PREHASH_LEN],
                      const char *comment, char **ret) {
        uint8_t bin[MINISIGN_SIG_BIN_LEN], global[MINISIGN_SIG_LEN];
        size_t comment_len = strlen(comment);
        _cleanup_free_ uint8_t *buf = malloc(MINISIGN_SIG_LEN + comment_len);
        _cleanup_free_ char *b64_sig = NULL, *b64_global = NULL;
        char hex[2 * MINISIGN_KEY_ID_LEN + 1];

        if (!buf)
                return -ENOMEM;
        memcpy(bin, "ED", 2);
        memcpy(bin + 2, sk->key_id, MINISIGN_KEY_ID_LEN);
        crypto_sign_ed25519_detached(bin + 2 + MINISIGN_KEY_ID_LEN, NULL, prehash, MINISIGN_PREHASH_LEN,
                                     sk->sk);
        memcpy(buf, bin + 2 + MINISIGN_KEY_ID_LEN, MINISIGN_SIG_LEN);
        memcpy(buf + MINISIGN_SIG_LEN, comment, comment_len);
        crypto_sign_ed25519_detached(global, NULL, buf, MINISIGN_SIG_LEN + comment_len, sk->sk);
        b64_sig = b64_dup(bin, sizeof bin);
        b64_global = b64_dup(global, sizeof global);
        if (!b64_sig || !b64_global)
                return -ENOMEM;
        minisign_key_id_hex(sk->key_id, hex);
        if (asprintf(ret,
                     MINISIGN_UNTRUSTED_PREFIX
                     "signature from minisign secret key %s\n%s\n" MINISIGN_TRUSTED_PREFIX "%s\n%s\n",
                     hex, b64_sig, comment, b64_global) < 0)
                return -ENOMEM;
        return 0;
}

int minisign_sign_buf(const minisign_secret *sk, const uint8_t *msg, size_t len, const char *trusted_comment,
                      char **ret_sig_text) {
        uint8_t prehash[MINISIGN_PREHASH_LEN];

        if (!trusted_comment ||
            !minisign_comment_valid(trusted_comment, strnlen(trusted_comment, MINISIGN_COMMENT_MAX + 1)))
                return -EINVAL;
        if (sodium_init() < 0)
                return -EIO;
        crypto_generichash(prehash, sizeof prehash, msg, len, NULL, 0);
        return sig_format(sk, prehash, trusted_comment, ret_sig_text);
}

int minisign_sign_file(const minisign_secret *sk, const char *path, const char *trusted_comment) {
        _cleanup_free_ char *sp = sig_path(path), *text = NULL;
        uint8_t prehash[MINISIGN_PREHASH_LEN];
        int r;

        if (!sp)
                return -ENOMEM;
        if (!trusted_comment ||
            !minisign_comment_valid(trusted_comment, strnlen(trusted_comment, MINISIGN_COMMENT_MAX + 1)))
                return -EINVAL;
        if (sodium_init() < 0)
                return -EIO;
        r = hash_file(path, prehash);
        if (r < 0)
                return r;
        r = sig_format(sk, prehash, trusted_comment, &text);
        if (r < 0)
                return r;
        return fs_write_atomic(sp, text, strlen(text), 0644);
}

void minisign_sign_detached(const minisign_secret *sk, const uint8_t *msg, size_t len,
                            uint8_t ret_sig[MINISIGN_SIG_LEN]) {
        crypto_sign_ed25519_detached(ret_sig, NULL, msg, len, sk->sk);
}

int minisign_verify_detached(const minisign_public *pk, const uint8_t *msg, size_t len,
                             const uint8_t sig[MINISIGN_SIG_LEN]) {
        return crypto_sign_ed25519_verify_detached(sig, msg, len, pk->pk) == 0 ? 0 : -EBADE;
}
