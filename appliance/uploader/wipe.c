/* The only place the uploader deletes anything (STYLE: one function, with
 * its checks in it). Every check is made here, against the disk and the
 * vault as they are now, not against what an earlier scan believed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "fsutil.h"
#include "uploader.h"
#include "util.h"

static int keep(gchar **ret_message, const char *session, const char *why, const char *name) {
        _cleanup_free_ char *shown = escape_text(name ? name : "");
        *ret_message = g_strdup_printf("local copy of %s kept: %s%s%s%s", session, why, name ? " (\"" : "",
                                       name ? shown : "", name ? "\")" : "");
        return 0;
}

/* The folder's names, or -errno; a name not a regular session file is
 * returned in *ret_bad. */
static int list_all(int dfd, GPtrArray *names, gchar **ret_bad) {
        g_auto(GStrv) all = NULL;
        int r = fs_list_namesat(dfd, &all);

        if (r < 0)
                return r;
        for (char **n = all; *n; n++) {
                mode_t mode;
                if (fs_kindat(dfd, *n, &mode) < 0 || !S_ISREG(mode) || !upl_session_file_name(*n)) {
                        if (!*ret_bad)
                                *ret_bad = g_strdup(*n);
                        continue;
                }
                g_ptr_array_add(names, g_strdup(*n));
        }
        return 0;
}

static int hash_at(int dfd, const char *name, char ret[SHA256_HEX_LEN + 1], uint64_t *ret_size) {
        uint8_t d[SHA256_LEN];
        _cleanup_close_ int fd = fs_openat_regular(dfd, name, NULL);
        int r;

        if (fd < 0)
                return fd;
        r = sha256_fd(fd, d, ret_size);
        if (r == 0)
                sha256_hex(d, ret);
        return r;
}

int upl_wipe_session(int spool_dirfd, int receipts_dirfd, vault *v, const char *session,
                     uint64_t local_retention_ns, gchar **ret_message) {
        _cleanup_close_ int dfd =
                openat(spool_dirfd, session, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(upl_receipts) rc = NULL;
        g_autofree gchar *bad = NULL, *rname = g_strdup_printf("%s.jsonl", session);
        g_autofree gchar *rkey = g_strdup_printf(UPL_RECEIPTS_DIR "/%s.jsonl", session);
        char sha[SHA256_HEX_LEN + 1];
        uint64_t size;
        vault_receipt head = {0};
        mode_t mode;
        int r;

        if (!upl_session_name_valid(session) || dfd < 0)
                return keep(ret_message, session, "not a session folder", NULL);
        if (fs_kindat(dfd, "manifest.json", &mode) < 0 || !S_ISREG(mode))
                return keep(ret_message, session, "the session is not closed", NULL);
        r = upl_receipts_load(receipts_dirfd, session, &rc, ret_message);
        if (r < 0)
                return r;
        r = list_all(dfd, names, &bad);
        if (r < 0)
                return keep(ret_message, session, "its folder cannot be listed", NULL);
        if (bad)
                return keep(ret_message, session, "its folder holds something that is not a session file",
                            bad);
        for (guint i = 0; i < names->len; i++) {
                g_autofree gchar *key = g_strdup_printf("%s/%s", session, (char *) names->pdata[i]);
                if (hash_at(dfd, names->pdata[i], sha, &size) < 0 || !upl_receipts_match(rc, key, size, sha))
                        return keep(ret_message, session, "a file has no receipt that matches it",
                                    names->pdata[i]);
        }
        /* the receipts file itself must be in the vault as it is here */
        if (hash_at(receipts_dirfd, rname, sha, &size) < 0)
                return keep(ret_message, session, "its receipts file cannot be read", NULL);
        r = vault_head(v, rkey, &head, ret_message);
        bool vaulted = r == 0 && head.size == size && strcmp(head.sha256, sha) == 0;
        vault_receipt_clear(&head);
        if (!vaulted) {
                g_clear_pointer(ret_message, g_free);
                return keep(ret_message, session, "its receipts file is not in the vault as it is here",
                            NULL);
        }
        if (g_get_real_time() - rc->last_us < (int64_t) (local_retention_ns / 1000))
                return keep(ret_message, session,
                            "[uploader] local_retention has not passed since the last receipt", NULL);

        /* manifest.json last: a wipe cut short still leaves a closed session,
         * which the next pass checks and finishes the same way */
        for (guint i = 0; i < names->len; i++)
                if (strcmp(names->pdata[i], "manifest.json") != 0 && unlinkat(dfd, names->pdata[i], 0) < 0 &&
                    errno != ENOENT)
                        return keep(ret_message, session, g_strerror(errno), names->pdata[i]);
        if (unlinkat(dfd, "manifest.json", 0) < 0 && errno != ENOENT)
                return keep(ret_message, session, g_strerror(errno), "manifest.json");
        if (fsync(dfd) < 0 || unlinkat(spool_dirfd, session, AT_REMOVEDIR) < 0)
                return keep(ret_message, session,
                            "its folder could not be removed (something new is in it?)", NULL);
        (void) fsync(spool_dirfd);
        *ret_message = g_strdup_printf("local copy of %s wiped: every file confirmed by the vault", session);
        return 1;
}
