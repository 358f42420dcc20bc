/* The two digests a vault object needs, from one read of the file: the
 * SHA-256 that names it in receipts and in x-amz-content-sha256, and the
 * MD5 that S3 checks the body against (Content-MD5). A sealed segment is
 * up to gigabytes; reading it twice before sending it a third time is the
 * cost this saves. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "util.h"
#include "vault.h"

typedef struct digests {
        sha256_ctx *sha;
        GChecksum *md5;
} digests;

static int digest_chunk(const uint8_t *buf, size_t len, void *userdata) {
        digests *d = userdata;

        sha256_update(d->sha, buf, len);
        g_checksum_update(d->md5, buf, (gssize) len);
        return 0;
}

int vault_digests_fd(int fd, char ret_sha256_hex[SHA256_HEX_LEN + 1],
                     char ret_md5_b64[VAULT_MD5_B64_LEN + 1], uint64_t *ret_size) {
        g_autoptr(sha256_ctx) sha = sha256_new();
        g_autoptr(GChecksum) md5 = g_checksum_new(G_CHECKSUM_MD5);
        digests d = {sha, md5};
        uint8_t digest[SHA256_LEN];
        guint8 m[16];
        gsize mlen = sizeof(m);
        uint64_t total = 0;
        int r;

        if (!sha || !md5)
                return -ENOMEM;
        r = fs_read_chunks(fd, FS_READ_ALL, digest_chunk, &d, &total);
        if (r == 0)
                r = sha256_final(sha, digest);
        if (r < 0)
                return r;
        g_checksum_get_digest(md5, m, &mlen);
        g_autofree gchar *b64 = g_base64_encode(m, mlen);
        sha256_hex(digest, ret_sha256_hex);
        g_strlcpy(ret_md5_b64, b64, VAULT_MD5_B64_LEN + 1);
        if (ret_size)
                *ret_size = total;
        return 0;
}
