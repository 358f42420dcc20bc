/* A small driver for the vault tests: the real backend through vault.h.
 *   vault-tool put CONF KEY FILE   prints the receipt as key=value lines
 *   vault-tool head CONF KEY
 *   vault-tool get CONF KEY MAX OUT   the object into OUT, at most MAX bytes; prints size=N
 *   vault-tool list CONF PREFIX    one line a key (escaped), a tab, its size; then refused=N
 * Exits 0 on success, else prints "error -ERRNO (NAME): MESSAGE" and exits 1. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
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
                           : r == -EFBIG   ? "EFBIG"
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

static int print_entry(const char *key, uint64_t size, int64_t modified_us, void *userdata) {
        g_autofree char *shown = escape_text(key);
        (void) modified_us, (void) userdata;
        printf("%s\t%" PRIu64 "\n", shown, size);
        return 0;
}

static int get_or_list(vault *v, char **argv) {
        g_autofree gchar *msg = NULL;
        unsigned refused = 0;
        uint64_t size = 0;
        int r;

        if (strcmp(argv[1], "list") == 0) {
                r = vault_list(v, argv[3], print_entry, NULL, &refused, &msg);
                printf("refused=%u\n", refused);
                return r < 0 ? fail(r, msg) : 0;
        }
        g_auto(fd_owned) fd = open(argv[5], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return fail(-errno, "cannot write OUT");
        r = vault_get(v, argv[3], fd, g_ascii_strtoull(argv[4], NULL, 10), &size, &msg);
        printf("size=%" PRIu64 "\n", size);
        return r < 0 ? fail(r, msg) : 0;
}

int main(int argc, char **argv) {
        if (argc < 4 || (strcmp(argv[1], "put") == 0 && argc != 5) ||
            (strcmp(argv[1], "head") == 0 && argc != 4) || (strcmp(argv[1], "get") == 0 && argc != 6) ||
            (strcmp(argv[1], "list") == 0 && argc != 4)) {
                fprintf(stderr,
                        "usage: vault-tool put CONF KEY FILE | head CONF KEY | get CONF KEY MAX OUT | "
                        "list CONF PREFIX\n");
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

        if (strcmp(argv[1], "get") == 0 || strcmp(argv[1], "list") == 0) {
                r = get_or_list(v, argv);
                vault_free(v);
                return r;
        }
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
