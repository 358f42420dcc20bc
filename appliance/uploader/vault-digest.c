/* The two digests a vault object needs, from one read of the file: the
 * SHA-256 that names it in receipts and in x-amz-content-sha256, and the
 * MD5 that S3 checks the body against (Content-MD5). A sealed segment is
 * up to gigabytes; reading it twice before sending it a third time is the
 * cost this saves. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "vault.h"

#define DIGEST_CHUNK (1u << 20)

int vault_digests_fd(int fd, char ret_sha256_hex[SHA256_HEX_LEN + 1],
                     char ret_md5_b64[VAULT_MD5_B64_LEN + 1], uint64_t *ret_size) {
        _cleanup_free_ uint8_t *buf = malloc(DIGEST_CHUNK);
        sha256_ctx *sha = sha256_new();
        GChecksum *md5 = g_checksum_new(G_CHECKSUM_MD5);
        uint64_t total = 0;
        int r = 0;

        if (!buf || !sha || !md5)
                r = -ENOMEM;
        else
                (void) posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        while (r == 0) {
                ssize_t n = read(fd, buf, DIGEST_CHUNK);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        r = -errno;
                if (n <= 0)
                        break;
                sha256_update(sha, buf, (size_t) n);
                g_checksum_update(md5, buf, n);
                total += (uint64_t) n;
        }
        uint8_t d[SHA256_LEN];
        if (r == 0)
                r = sha256_final(sha, d);
        sha256_free(sha);
        if (r == 0) {
                guint8 m[16];
                gsize mlen = sizeof(m);
                g_checksum_get_digest(md5, m, &mlen);
                g_autofree gchar *b64 = g_base64_encode(m, mlen);
                sha256_hex(d, ret_sha256_hex);
                g_strlcpy(ret_md5_b64, b64, VAULT_MD5_B64_LEN + 1);
                if (ret_size)
                        *ret_size = total;
        }
        if (md5)
                g_checksum_free(md5);
        return r;
}
