/* Geometry of a sealed (age v1) segment, seen from outside: the appliance
 * cannot decrypt, but it can tell how many bytes form whole chunks. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "age.h"
#include "custody-internal.h"
#include "fsutil.h"

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

typedef struct sealed_hashing {
        sha256_ctx *c;
        uint64_t prefix, off;
        uint8_t *ret_prefix;
        bool got_prefix;
} sealed_hashing;

/* Hashes a chunk, taking the digest of the first prefix bytes on the way
 * where the chunk crosses that point. */
static int hash_chunk(const uint8_t *buf, size_t len, void *userdata) {
        sealed_hashing *h = userdata;

        if (!h->got_prefix && h->prefix - h->off <= len) {
                size_t head = (size_t) (h->prefix - h->off);
                sha256_update(h->c, buf, head);
                (void) sha256_peek(h->c, h->ret_prefix);
                h->got_prefix = true;
                buf += head;
                len -= head;
                h->off += head;
        }
        sha256_update(h->c, buf, len);
        h->off += len;
        return 0;
}

int custody_sealed_hash(int fd, uint64_t prefix, uint8_t ret_prefix[SHA256_LEN], uint8_t ret_all[SHA256_LEN],
                        uint64_t *ret_size, bool *ret_prefix_ok) {
        _cleanup_sha256_ sha256_ctx *c = sha256_new();
        sealed_hashing h = {.c = c, .prefix = prefix, .ret_prefix = ret_prefix};
        int r;

        if (!c)
                return -ENOMEM;
        if (prefix == 0) {
                (void) sha256_peek(c, ret_prefix);
                h.got_prefix = true;
        }
        r = fs_read_chunks(fd, FS_READ_ALL, hash_chunk, &h, NULL);
        if (r < 0)
                return r;
        *ret_prefix_ok = h.got_prefix;
        *ret_size = h.off;
        return sha256_final(c, ret_all);
}
