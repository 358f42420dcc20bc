/* A small driver for the vault tests: the real backend through vault.h.
 *   vault-tool put CONF KEY FILE   prints the receipt as key=value lines
 *   vault-tool head CONF KEY
 * Exits 0 on success, else prints "error -ERRNO (NAME): MESSAGE" and exits 1. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdutil.h"
#include "sha256.h"
#include "studio-conf.h"
#include "util.h"
#include "vault.h"

static int fail(int r, const char *message) {
        const char *name = r == -EAGAIN    ? "EAGAIN"
                           : r == -EACCES  ? "EACCES"
                           : r == -ENOLCK  ? "ENOLCK"
                           : r == -EBADMSG ? "EBADMSG"
                           : r == -ENOENT  ? "ENOENT"
                           : r == -EINVAL  ? "EINVAL"
                           : r == -EPERM   ? "EPERM"
                                           : "other";
        fprintf(stderr, "error %d (%s): %s\n", r, name, message ? message : "(no message)");
        return 1;
}

static void print_receipt(const vault_receipt *r) {
        printf("key=%s\nsize=%" PRIu64
               "\nsha256=%s\netag=%s\nversion_id=%s\nmode=%s\nretain_until_us=%" PRId64 "\n",
               r->key, r->size, r->sha256, r->etag ? r->etag : "", r->version_id ? r->version_id : "",
               r->retention_mode, r->retain_until_us);
}

int main(int argc, char **argv) {
        if (argc < 4 || (strcmp(argv[1], "put") == 0 && argc != 5) ||
            (strcmp(argv[1], "head") == 0 && argc != 4)) {
                fprintf(stderr, "usage: vault-tool put CONF KEY FILE | head CONF KEY\n");
                return 2;
        }
        g_autoptr(studio_conf) conf = NULL;
        g_autofree gchar *msg = NULL;
        int r = studio_conf_load(argv[2], &conf, &msg);
        if (r < 0)
                return fail(r, msg);
        vault *v = NULL;
        r = vault_open(&conf->uploader, &v, &msg);
        if (r < 0)
                return fail(r, msg);

        vault_receipt rec = {0};
        if (strcmp(argv[1], "put") == 0) {
                g_auto(fd_owned) fd = open(argv[4], O_RDONLY | O_CLOEXEC);
                struct stat st;
                char hex[SHA256_HEX_LEN + 1], md5[VAULT_MD5_B64_LEN + 1];
                /* both digests in one read, as the uploader's scan does */
                if (fd < 0 || fstat(fd, &st) < 0 || vault_digests_fd(fd, hex, md5, NULL) < 0)
                        return fail(-errno, "cannot read FILE");
                r = vault_put_md5(v, argv[3], fd, (uint64_t) st.st_size, hex, md5, NULL, NULL, &rec, &msg);
        } else {
                r = vault_head(v, argv[3], &rec, &msg);
        }
        if (r < 0) {
                r = fail(r, msg);
        } else {
                print_receipt(&rec);
                r = 0;
        }
        vault_receipt_clear(&rec);
        vault_free(v);
        return r;
}
