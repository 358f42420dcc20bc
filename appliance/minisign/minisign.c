/* minisign key files: generation, the unencrypted secret key format that
 * `minisign -G -W` writes, and public keys. Signatures are in
 * minisign-sig.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "fsutil.h"
#include "minisign-internal.h"
#include "sodium-mem.h"
#include "util.h"

_Static_assert(MINISIGN_SK_LEN == crypto_sign_ed25519_SECRETKEYBYTES, "Ed25519 secret key size");
_Static_assert(MINISIGN_PK_LEN == crypto_sign_ed25519_PUBLICKEYBYTES, "Ed25519 public key size");
_Static_assert(MINISIGN_SEC_BIN_LEN == 158, "minisign secret key layout");

/* Offsets in the secret key blob. */
enum {
        SEC_ALG = 0,
        SEC_KDF = 2,
        SEC_CHK_ALG = 4,
        SEC_SALT = 6,
        SEC_KEY_ID = SEC_SALT + MINISIGN_SALT_LEN + 16,
        SEC_SK = SEC_KEY_ID + MINISIGN_KEY_ID_LEN,
        SEC_CHK = SEC_SK + MINISIGN_SK_LEN,
};

static int minisign_sodium_init(void) {
        return sodium_init() < 0 ? -EIO : 0;
}

minisign_secret *minisign_secret_free(minisign_secret *sk) {
        sodium_free(sk); /* wipes; accepts NULL */
        return NULL;
}

static minisign_secret *minisign_secret_alloc(void) {
        if (minisign_sodium_init() < 0)
                return NULL;
        return sodium_malloc(sizeof(minisign_secret)); /* guarded and mlocked */
}

int minisign_secret_generate(minisign_secret **ret) {
        uint8_t pk[MINISIGN_PK_LEN];
        minisign_secret *sk = minisign_secret_alloc();

        if (!sk)
                return -ENOMEM;
        randombytes_buf(sk->key_id, sizeof sk->key_id);
        if (crypto_sign_ed25519_keypair(pk, sk->sk) != 0) {
                minisign_secret_free(sk);
                return -EIO;
        }
        *ret = sk;
        return 0;
}

void minisign_secret_public(const minisign_secret *sk, minisign_public *ret) {
        memcpy(ret->key_id, sk->key_id, sizeof ret->key_id);
        crypto_sign_ed25519_sk_to_pk(ret->pk, sk->sk);
}

static void secret_checksum(const uint8_t *blob, uint8_t out[MINISIGN_CHK_LEN]) {
        crypto_generichash_state st;

        crypto_generichash_init(&st, NULL, 0, MINISIGN_CHK_LEN);
        crypto_generichash_update(&st, blob + SEC_ALG, MINISIGN_ALG_LEN);
        crypto_generichash_update(&st, blob + SEC_KEY_ID, MINISIGN_KEY_ID_LEN);
        crypto_generichash_update(&st, blob + SEC_SK, MINISIGN_SK_LEN);
        crypto_generichash_final(&st, out, MINISIGN_CHK_LEN);
        sodium_memzero(&st, sizeof st);
}

/* minisign 0.11 -W leaves the checksum all zero and never checks it; we
 * write the real one and accept either, so a corrupted key is still caught
 * when the checksum is present. */
static int secret_blob_check(const uint8_t *blob) {
        uint8_t chk[MINISIGN_CHK_LEN], seed_pk[MINISIGN_PK_LEN], seed_sk[MINISIGN_SK_LEN];
        int r = 0;

        if (memcmp(blob + SEC_ALG, "Ed", 2) != 0 || memcmp(blob + SEC_CHK_ALG, "B2", 2) != 0)
                return -EBADMSG;
        if (memcmp(blob + SEC_KDF, "Sc", 2) == 0)
                return -ENOKEY;
        if (memcmp(blob + SEC_KDF, "\0\0", 2) != 0)
                return -EBADMSG;
        secret_checksum(blob, chk);
        if (!sodium_is_zero(blob + SEC_CHK, MINISIGN_CHK_LEN) &&
            sodium_memcmp(chk, blob + SEC_CHK, MINISIGN_CHK_LEN) != 0)
                r = -EBADMSG;
        /* The public half stored in sk must be the one its seed makes. */
        if (r == 0 && crypto_sign_ed25519_seed_keypair(seed_pk, seed_sk, blob + SEC_SK) != 0)
                r = -EIO;
        if (r == 0 && sodium_memcmp(seed_pk, blob + SEC_SK + 32, MINISIGN_PK_LEN) != 0)
                r = -EBADMSG;
        sodium_memzero(chk, sizeof chk);
        sodium_memzero(seed_sk, sizeof seed_sk);
        return r;
}

/* Reads a secret key file into locked memory (never via stdio buffers). */
static int read_secret_text(const char *path, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        _cleanup_sodium_free_ char *buf = NULL;
        struct stat st;
        size_t len = 0;
        int r;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADMSG;
        if (st.st_size > MINISIGN_FILE_MAX)
                return -EBADMSG;
        buf = sodium_malloc(MINISIGN_FILE_MAX + 1);
        if (!buf)
                return -ENOMEM;
        r = fs_read_fd_into(fd, buf, MINISIGN_FILE_MAX, &len);
        if (r < 0)
                return r == -EFBIG ? -EBADMSG : r;
        *ret_len = len;
        *ret = TAKE_PTR(buf);
        return 0;
}

static int secret_parse(const char *text, size_t len, minisign_secret **ret) {
        _cleanup_sodium_free_ uint8_t *blob = sodium_malloc(MINISIGN_SEC_BIN_LEN);
        minisign_lines l = {text, text + len};
        const char *line;
        size_t line_len = 0;
        minisign_secret *sk;
        int r;

        if (!blob)
                return -ENOMEM;
        r = minisign_next_line(&l, MINISIGN_COMMENT_MAX + sizeof MINISIGN_UNTRUSTED_PREFIX, &line,
                               &line_len);
        if (r < 0 || line_len < strlen(MINISIGN_UNTRUSTED_PREFIX) ||
            memcmp(line, MINISIGN_UNTRUSTED_PREFIX, strlen(MINISIGN_UNTRUSTED_PREFIX)) != 0)
                return -EBADMSG;
        r = minisign_next_line(&l, MINISIGN_FILE_MAX, &line, &line_len);
        if (r < 0 || !minisign_lines_at_end(&l))
                return -EBADMSG;
        r = minisign_unbase64(line, line_len, blob, MINISIGN_SEC_BIN_LEN);
        if (r < 0)
                return r;
        r = secret_blob_check(blob);
        if (r < 0)
                return r;
        sk = minisign_secret_alloc();
        if (!sk)
                return -ENOMEM;
        memcpy(sk->key_id, blob + SEC_KEY_ID, MINISIGN_KEY_ID_LEN);
        memcpy(sk->sk, blob + SEC_SK, MINISIGN_SK_LEN);
        *ret = sk;
        return 0;
}

int minisign_secret_load(const char *path, minisign_secret **ret) {
        _cleanup_sodium_free_ char *text = NULL;
        size_t len = 0;
        int r;

        r = minisign_sodium_init();
        if (r < 0)
                return r;
        r = read_secret_text(path, &text, &len);
        if (r < 0)
                return r;
        return secret_parse(text, len, ret);
}

static int secret_format(const minisign_secret *sk, char **ret, size_t *ret_len) {
        static const char head[] = MINISIGN_UNTRUSTED_PREFIX "minisign secret key (unencrypted)\n";
        const size_t b64_len =
                sodium_base64_ENCODED_LEN(MINISIGN_SEC_BIN_LEN, sodium_base64_VARIANT_ORIGINAL);
        _cleanup_sodium_free_ uint8_t *blob = sodium_malloc(MINISIGN_SEC_BIN_LEN);
        _cleanup_sodium_free_ char *text = sodium_malloc(sizeof head + b64_len + 1);
        size_t n;

        if (!blob || !text)
                return -ENOMEM;
        memset(blob, 0, MINISIGN_SEC_BIN_LEN);
        memcpy(blob + SEC_ALG, "Ed", 2);
        memcpy(blob + SEC_CHK_ALG, "B2", 2);
        memcpy(blob + SEC_KEY_ID, sk->key_id, MINISIGN_KEY_ID_LEN);
        memcpy(blob + SEC_SK, sk->sk, MINISIGN_SK_LEN);
        secret_checksum(blob, blob + SEC_CHK);
        memcpy(text, head, sizeof head - 1);
        sodium_bin2base64(text + sizeof head - 1, b64_len, blob, MINISIGN_SEC_BIN_LEN,
                          sodium_base64_VARIANT_ORIGINAL);
        n = strlen(text);
        text[n++] = '\n';
        *ret_len = n;
        *ret = TAKE_PTR(text);
        return 0;
}

static int public_format(const minisign_public *pk, char **ret) {
        _cleanup_free_ char *b64 = minisign_public_to_base64(pk);
        char hex[2 * MINISIGN_KEY_ID_LEN + 1];

        if (!b64)
                return -ENOMEM;
        minisign_key_id_hex(pk->key_id, hex);
        if (asprintf(ret, MINISIGN_UNTRUSTED_PREFIX "minisign public key %s\n%s\n", hex, b64) < 0)
                return -ENOMEM;
        return 0;
}

int minisign_secret_save(const minisign_secret *sk, const char *secret_path, const char *public_path) {
        _cleanup_sodium_free_ char *sec = NULL;
        _cleanup_free_ char *pub = NULL;
        minisign_public pk;
        size_t sec_len;
        int r;

        r = secret_format(sk, &sec, &sec_len);
        if (r < 0)
                return r;
        minisign_secret_public(sk, &pk);
        r = public_format(&pk, &pub);
        if (r < 0)
                return r;
        r = fs_write_atomic(secret_path, sec, sec_len, 0600);
        if (r < 0)
                return r;
        return fs_write_atomic(public_path, pub, strlen(pub), 0644);
}

char *minisign_public_to_base64(const minisign_public *pk) {
        uint8_t bin[MINISIGN_PUB_BIN_LEN];
        size_t b64_len = sodium_base64_ENCODED_LEN(sizeof bin, sodium_base64_VARIANT_ORIGINAL);
        char *b64 = malloc(b64_len);

        if (!b64)
                return NULL;
        memcpy(bin, "Ed", 2);
        memcpy(bin + 2, pk->key_id, MINISIGN_KEY_ID_LEN);
        memcpy(bin + 2 + MINISIGN_KEY_ID_LEN, pk->pk, MINISIGN_PK_LEN);
        sodium_bin2base64(b64, b64_len, bin, sizeof bin, sodium_base64_VARIANT_ORIGINAL);
        return b64;
}

void minisign_key_id_hex(const uint8_t key_id[MINISIGN_KEY_ID_LEN], char out[2 * MINISIGN_KEY_ID_LEN + 1]) {
        static const char digits[] = "0123456789ABCDEF";

        for (size_t i = 0; i < MINISIGN_KEY_ID_LEN; i++) {
                uint8_t b = key_id[MINISIGN_KEY_ID_LEN - 1 - i];
                out[2 * i] = digits[b >> 4];
                out[2 * i + 1] = digits[b & 0xf];
        }
        out[2 * MINISIGN_KEY_ID_LEN] = '\0';
}

static int public_parse_len(const char *text, size_t len, minisign_public *ret) {
        uint8_t bin[MINISIGN_PUB_BIN_LEN];
        minisign_lines l = {text, text + len};
        const char *line;
        size_t line_len;
        int r;

        r = minisign_next_line(&l, MINISIGN_FILE_MAX, &line, &line_len);
        if (r < 0)
                return r;
        if (line_len >= strlen(MINISIGN_UNTRUSTED_PREFIX) &&
            memcmp(line, MINISIGN_UNTRUSTED_PREFIX, strlen(MINISIGN_UNTRUSTED_PREFIX)) == 0) {
                if (line_len > MINISIGN_COMMENT_MAX + strlen(MINISIGN_UNTRUSTED_PREFIX))
                        return -EBADMSG;
                r = minisign_next_line(&l, MINISIGN_FILE_MAX, &line, &line_len);
                if (r < 0)
                        return r;
        }
        if (!minisign_lines_at_end(&l))
                return -EBADMSG;
        r = minisign_unbase64(line, line_len, bin, sizeof bin);
        if (r < 0)
                return r;
        if (memcmp(bin, "Ed", 2) != 0)
                return -EBADMSG;
        memcpy(ret->key_id, bin + 2, MINISIGN_KEY_ID_LEN);
        memcpy(ret->pk, bin + 2 + MINISIGN_KEY_ID_LEN, MINISIGN_PK_LEN);
        return 0;
}

int minisign_public_parse(const char *text, minisign_public *ret) {
        size_t len = strnlen(text, MINISIGN_FILE_MAX + 1);

        if (len > MINISIGN_FILE_MAX)
                return -EBADMSG;
        return public_parse_len(text, len, ret);
}

int minisign_public_load(const char *path, minisign_public *ret) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r;

        r = fs_read_file(path, MINISIGN_FILE_MAX, &text, &len);
        if (r == -EFBIG)
                return -EBADMSG;
        if (r < 0)
                return r;
        return public_parse_len(text, len, ret);
}
