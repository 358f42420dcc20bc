/* SHA-256 through OpenSSL's libcrypto (EVP), which uses SHA-NI where the CPU
 * has it: the verifier and the sealing sink hash at disk speed. */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define SHA256_LEN 32
#define SHA256_HEX_LEN 64

typedef struct sha256_ctx sha256_ctx;

sha256_ctx *sha256_new(void);
sha256_ctx *sha256_free(sha256_ctx *c);
/* A context freed at the end of its scope: _cleanup_sha256_ in plain C,
 * g_autoptr(sha256_ctx) in GLib code. */
static inline void sha256_freep(sha256_ctx **c) {
        sha256_free(*c);
}
#define _cleanup_sha256_ _cleanup_(sha256_freep)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sha256_ctx, sha256_free)
void sha256_update(sha256_ctx *c, const void *buf, size_t len);
/* The digest so far, without ending the running hash (for checkpoints). */
int sha256_peek(const sha256_ctx *c, uint8_t ret[SHA256_LEN]);
int sha256_final(sha256_ctx *c, uint8_t ret[SHA256_LEN]);

void sha256_buf(const void *buf, size_t len, uint8_t ret[SHA256_LEN]);
/* Hashes a whole file; ret_size gets its length when non-NULL. -errno on failure. */
int sha256_file(const char *path, uint8_t ret[SHA256_LEN], uint64_t *ret_size);
/* Hashes an open file from its current offset to its end. */
int sha256_fd(int fd, uint8_t ret[SHA256_LEN], uint64_t *ret_size);
void sha256_hex(const uint8_t digest[SHA256_LEN], char out[SHA256_HEX_LEN + 1]);
