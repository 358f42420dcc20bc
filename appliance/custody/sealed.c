/* Geometry of a sealed (age v1) segment, seen from outside: the appliance
 * cannot decrypt, but it can tell how many bytes form whole chunks. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "age.h"
#include "custody-internal.h"

/* The layout is the age module's (age.h): the header as its reader finds
 * it, the payload nonce, then whole sealed STREAM chunks. */
int custody_sealed_header_len(int fd, uint64_t *ret_len) {
        return age_header_len_fd(fd, ret_len);
}

uint64_t custody_sealed_salvageable(uint64_t header_len, uint64_t size) {
        uint64_t start = header_len + AGE_PAYLOAD_NONCE_LEN;

        if (size < start)
                return 0;
        return start + (size - start) / AGE_ENC_CHUNK_SIZE * AGE_ENC_CHUNK_SIZE;
}

int custody_sealed_hash(int fd, uint64_t prefix, uint8_t ret_prefix[SHA256_LEN], uint8_t ret_all[SHA256_LEN],
                        uint64_t *ret_size, bool *ret_prefix_ok) {
        g_autofree uint8_t *buf = g_malloc(1 << 20);
        sha256_ctx *c = sha256_new();
        uint64_t off = 0;
        bool got_prefix = prefix == 0;

        if (!c)
                return -ENOMEM;
        if (got_prefix)
                (void) sha256_peek(c, ret_prefix);
        for (;;) {
                size_t want = 1 << 20;
                if (!got_prefix && prefix - off < want)
                        want = (size_t) (prefix - off);
                ssize_t n = read(fd, buf, want);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        int r = -errno;
                        sha256_free(c);
                        return r;
                }
                if (n == 0)
                        break;
                sha256_update(c, buf, (size_t) n);
                off += (uint64_t) n;
                if (!got_prefix && off == prefix) {
                        (void) sha256_peek(c, ret_prefix);
                        got_prefix = true;
                }
        }
        *ret_prefix_ok = got_prefix;
        *ret_size = off;
        int r = sha256_final(c, ret_all);
        sha256_free(c);
        return r;
}
