#include "sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <unistd.h>

#include "fsutil.h"
#include "util.h"

struct sha256_ctx {
        EVP_MD_CTX *md;
};

sha256_ctx *sha256_new(void) {
        sha256_ctx *c = calloc(1, sizeof(*c));
        if (!c)
                return NULL;
        c->md = EVP_MD_CTX_new();
        if (!c->md || EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1)
                return sha256_free(c);
        return c;
}

sha256_ctx *sha256_free(sha256_ctx *c) {
        if (!c)
                return NULL;
        EVP_MD_CTX_free(c->md);
        free(c);
        return NULL;
}

void sha256_update(sha256_ctx *c, const void *buf, size_t len) {
        if (len > 0)
                (void) EVP_DigestUpdate(c->md, buf, len);
}

int sha256_peek(const sha256_ctx *c, uint8_t ret[SHA256_LEN]) {
        EVP_MD_CTX *copy = EVP_MD_CTX_new();
        unsigned n = 0;
        int ok;

        if (!copy)
                return -ENOMEM;
        ok = EVP_MD_CTX_copy_ex(copy, c->md) == 1 && EVP_DigestFinal_ex(copy, ret, &n) == 1;
        EVP_MD_CTX_free(copy);
        return ok ? 0 : -EIO;
}

int sha256_final(sha256_ctx *c, uint8_t ret[SHA256_LEN]) {
        unsigned n = 0;
        return EVP_DigestFinal_ex(c->md, ret, &n) == 1 ? 0 : -EIO;
}

void sha256_buf(const void *buf, size_t len, uint8_t ret[SHA256_LEN]) {
        unsigned n = 0;
        (void) EVP_Digest(buf, len, ret, &n, EVP_sha256(), NULL);
}

int sha256_file(const char *path, uint8_t ret[SHA256_LEN], uint64_t *ret_size) {
        _cleanup_close_ int fd = fs_open_regular(path, NULL);

        if (fd < 0)
                return fd;
        return sha256_fd(fd, ret, ret_size);
}

static int hash_chunk(const uint8_t *buf, size_t len, void *userdata) {
        sha256_update(userdata, buf, len);
        return 0;
}

int sha256_fd(int fd, uint8_t ret[SHA256_LEN], uint64_t *ret_size) {
        _cleanup_sha256_ sha256_ctx *c = NULL;
        uint64_t total = 0;
        int r;

        if (fd < 0)
                return fd;
        c = sha256_new();
        if (!c)
                return -ENOMEM;
        r = fs_read_chunks(fd, FS_READ_ALL, hash_chunk, c, &total);
        if (r == 0)
                r = sha256_final(c, ret);
        if (r == 0 && ret_size)
                *ret_size = total;
        return r;
}

void sha256_hex(const uint8_t digest[SHA256_LEN], char out[SHA256_HEX_LEN + 1]) {
        util_hex(digest, SHA256_LEN, out);
}
