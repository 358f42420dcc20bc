/* The only place the uploader deletes anything (STYLE: one function, with
 * its checks in it). Every check is made here, against the disk and the
 * vault as they are now, not against what an earlier scan believed, and
 * never on the word of a local file: a receipt says what a vault confirmed
 * once, and the spool's group can write one; only the vault in use,
 * asked now, proves that it holds each file (vault_confirm). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "fdutil.h"
#include "fsutil.h"
#include "uploader.h"
#include "util.h"

static int keep(gchar **ret_message, const char *session, const char *why, const char *name) {
        g_autofree char *shown = escape_text(name ? name : "");
        *ret_message = g_strdup_printf("local copy of %s kept: %s%s%s%s", session, why, name ? " (\"" : "",
                                       name ? shown : "", name ? "\")" : "");
        return 0;
}

/* The folder's names, or -errno; a name that is not a regular session
 * file the recorder made and the manifest names is returned in *ret_bad. */
static int list_all(int dfd, uid_t owner, GHashTable *segments, GPtrArray *names, gchar **ret_bad) {
        g_auto(GStrv) all = NULL;
        int r = fs_list_namesat(dfd, FS_LIST_MAX, &all);

        if (r < 0)
                return r;
        for (char **n = all; *n; n++) {
                struct stat st;
                bool ours = fstatat(dfd, *n, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
                            st.st_uid == owner &&
                            (upl_closing_file_name(*n) || g_hash_table_contains(segments, *n));
                if (!ours) {
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

/* What the vault must confirm for the receipt of key. */
static void want_of(vault_receipt *want, const char *key, const upl_receipt *rc) {
        *want = (vault_receipt){
                .key = (gchar *) key,
                .size = rc->size,
                .version_id = rc->version_id,
                .retain_until_us = rc->retain_until_us,
        };
        memcpy(want->sha256, rc->sha256, sizeof(want->sha256));
}

/* Asks the vault for every file: 0 all confirmed; 1 some not (their keys
 * added to unconfirmed, the first reason in *ret_why); -errno when the
 * vault could not be asked (*ret_why says why). */
static int confirm_all(vault *v, const char *session, const upl_receipts *rc, GPtrArray *names,
                       GPtrArray *unconfirmed, gchar **ret_why) {
        int res = 0;

        for (guint i = 0; i < names->len; i++) {
                g_autofree gchar *key = g_strdup_printf("%s/%s", session, (char *) names->pdata[i]);
                g_autofree gchar *msg = NULL;
                vault_receipt want;
                want_of(&want, key, upl_receipts_get(rc, key));
                int r = vault_confirm(v, &want, &msg);
                if (r == 0)
                        continue;
                if (r != -ENOENT && r != -EBADMSG && r != -ENOLCK) {
                        g_free(*ret_why);
                        *ret_why = g_steal_pointer(&msg);
                        return r;
                }
                if (!*ret_why)
                        *ret_why = g_steal_pointer(&msg);
                if (unconfirmed)
                        g_ptr_array_add(unconfirmed, g_steal_pointer(&key));
                res = 1;
        }
        return res;
}

/* A wipe cut just before its rmdir (a power cut, kill -9) leaves an empty
 * folder: it is the session's whose manifest the vault confirms now. */
static int finish_empty(int spool_dirfd, int dfd, vault *v, const char *session, const upl_receipts *rc,
                        gchar **ret_message) {
        g_auto(GStrv) all = NULL;
        g_autofree gchar *key = g_strdup_printf("%s/manifest.json", session);
        const upl_receipt *m = upl_receipts_get(rc, key);
        g_autofree gchar *why = NULL;
        vault_receipt want;

        if (fs_list_namesat(dfd, FS_LIST_MAX, &all) < 0 || all[0] || !m)
                return keep(ret_message, session, "the session is not closed", NULL);
        want_of(&want, key, m);
        if (vault_confirm(v, &want, &why) < 0)
                return keep(ret_message, session,
                            "the folder is empty, but the vault does not confirm "
                            "the session's manifest",
                            NULL);
        if (unlinkat(spool_dirfd, session, AT_REMOVEDIR) < 0)
                return keep(ret_message, session, "its empty folder could not be removed", NULL);
        (void) fsync(spool_dirfd);
        *ret_message =
                g_strdup_printf("local copy of %s wiped: a wipe cut short is finished (its empty folder "
                                "removed; the vault confirms its manifest)",
                                session);
        return 1;
}

/* The session's own checks, before the vault is asked anything. */
static int check_local(int dfd, int receipts_dirfd, const char *session, uid_t owner, const upl_receipts *rc,
                       uint64_t local_retention_ns, GPtrArray *names, gchar **ret_message) {
        g_autoptr(GHashTable) segments = NULL;
        g_autofree gchar *bad = NULL, *why = NULL, *rname = g_strdup_printf("%s.jsonl", session);
        char sha[SHA256_HEX_LEN + 1];
        uint64_t size;
        int r;

        if (upl_manifest_segments(dfd, &segments, &why) < 0)
                return keep(ret_message, session, why, NULL), 1;
        r = list_all(dfd, owner, segments, names, &bad);
        if (r < 0)
                return keep(ret_message, session, "its folder cannot be listed", NULL), 1;
        if (bad)
                return keep(ret_message, session,
                            "its folder holds something that is not a file of the session the recorder "
                            "closed (a stranger is never wiped)",
                            bad),
                       1;
        if (g_get_real_time() - rc->last_us < (int64_t) (local_retention_ns / 1000))
                return keep(ret_message, session,
                            "[uploader] local_retention has not passed since the last receipt", NULL),
                       1;
        for (guint i = 0; i < names->len; i++) {
                g_autofree gchar *key = g_strdup_printf("%s/%s", session, (char *) names->pdata[i]);
                if (hash_at(dfd, names->pdata[i], sha, &size) < 0 || !upl_receipts_match(rc, key, size, sha))
                        return keep(ret_message, session,
                                    "a file has no receipt that matches it (from this vault)",
                                    names->pdata[i]),
                               1;
        }
        if (hash_at(receipts_dirfd, rname, sha, &size) < 0)
                return keep(ret_message, session, "its receipts file cannot be read", NULL), 1;
        return 0;
}

/* Whether the vault in use holds the session's receipts file as it is
 * here; when it does not (and could be asked), its key goes into
 * ret_unconfirmed to be sent again. */
static bool receipts_vaulted(int receipts_dirfd, vault *v, const char *session, GPtrArray *ret_unconfirmed) {
        g_autofree gchar *rkey = g_strdup_printf(UPL_RECEIPTS_DIR "/%s.jsonl", session);
        g_autofree gchar *rname = g_strdup_printf("%s.jsonl", session);
        g_autofree gchar *why = NULL;
        char sha[SHA256_HEX_LEN + 1];
        uint64_t size;
        vault_receipt head = {0};
        int r;

        (void) hash_at(receipts_dirfd, rname, sha, &size);
        r = vault_head(v, rkey, &head, &why);
        bool vaulted = r == 0 && head.size == size && strcmp(head.sha256, sha) == 0;
        vault_receipt_clear(&head);
        if (!vaulted && ret_unconfirmed && r != -EAGAIN && r != -EACCES)
                g_ptr_array_add(ret_unconfirmed, g_strdup(rkey));
        return vaulted;
}

/* Every file the very object its receipt names, asked of the vault;
 * false, with why the copy is kept in *ret_message, when not. */
static bool files_vaulted(vault *v, const char *session, upl_receipts *rc, GPtrArray *names,
                          GPtrArray *ret_unconfirmed, gchar **ret_message) {
        g_autofree gchar *why = NULL;
        int r = confirm_all(v, session, rc, names, ret_unconfirmed, &why);

        if (r == 0)
                return true;
        g_autofree char *shown = escape_text(why ? why : "");
        g_autofree gchar *m =
                g_strdup_printf(r > 0 ? "the vault does not confirm what a receipt names (%s): it is "
                                        "sent again, never wiped on a receipt's word"
                                      : "the vault could not confirm the files now (%s)",
                                shown);
        (void) keep(ret_message, session, m, NULL);
        return false;
}

/* The session's files, then its folder. manifest.json last: a wipe cut
 * short still leaves a closed session, which the next pass checks and
 * finishes the same way; cut after the manifest, an empty folder that
 * finish_empty removes. Returns 1 when wiped, 0 (kept) otherwise. */
static int remove_session(int spool_dirfd, int dfd, const char *session, GPtrArray *names,
                          gchar **ret_message) {
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
        *ret_message = g_strdup_printf("local copy of %s wiped: the vault confirms every file now", session);
        return 1;
}

/* wipe_after = verified: the police side's record, asked now (verified.c). */
static bool police_verified(const upl_verifier *ver, int dfd, const char *session, int *ret_hold,
                            gchar **ret_message) {
        g_autofree gchar *why = NULL;

        if (!ver)
                return true;
        if (ver->unusable) {
                *ret_hold = UPL_VERIFY_REFUSED;
                (void) keep(ret_message, session, ver->unusable, NULL);
                return false;
        }
        *ret_hold = upl_verified(ver->records, &ver->keys, dfd, session, &why);
        if (*ret_hold == UPL_VERIFY_OK)
                return true;
        (void) keep(ret_message, session, why, NULL);
        return false;
}

int upl_wipe_session(int spool_dirfd, int receipts_dirfd, vault *v, const char *session,
                     uint64_t local_retention_ns, GPtrArray *ret_unconfirmed, gchar **ret_message) {
        return upl_wipe_session_verified(spool_dirfd, receipts_dirfd, v, NULL, session, local_retention_ns,
                                         ret_unconfirmed, NULL, ret_message);
}

int upl_wipe_session_verified(int spool_dirfd, int receipts_dirfd, vault *v, const upl_verifier *ver,
                              const char *session, uint64_t local_retention_ns, GPtrArray *ret_unconfirmed,
                              int *ret_hold, gchar **ret_message) {
        int hold_ignored = 0;
        g_auto(fd_owned) dfd = openat(spool_dirfd, session, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(upl_receipts) rc = NULL;
        struct stat st, mst;
        uid_t owner = 0;
        int r;

        if (!ret_hold)
                ret_hold = &hold_ignored;
        *ret_hold = UPL_VERIFY_OK;
        if (!upl_session_name_valid(session) || dfd < 0 || fstat(dfd, &st) < 0 ||
            upl_spool_owner(spool_dirfd, &owner) < 0)
                return keep(ret_message, session, "not a session folder", NULL);
        if (st.st_uid != owner)
                return keep(ret_message, session, "the folder was not made by the recorder", NULL);
        r = upl_receipts_load(receipts_dirfd, session, vault_id(v), &rc, ret_message);
        if (r < 0)
                return r;
        if (fstatat(dfd, "manifest.json", &mst, AT_SYMLINK_NOFOLLOW) < 0)
                return finish_empty(spool_dirfd, dfd, v, session, rc, ret_message);
        if (!S_ISREG(mst.st_mode) || mst.st_uid != owner)
                return keep(ret_message, session, "its manifest.json was not made by the recorder", NULL);
        /* with wipe_after = verified, the police side's word first: it costs
         * one small read, while the checks below hash every file again */
        if (!police_verified(ver, dfd, session, ret_hold, ret_message))
                return 0;
        if (check_local(dfd, receipts_dirfd, session, owner, rc, local_retention_ns, names, ret_message) > 0)
                return 0;
        /* the vault in use, now: the receipts file as it is here … */
        if (!receipts_vaulted(receipts_dirfd, v, session, ret_unconfirmed))
                return keep(ret_message, session, "its receipts file is not in the vault as it is here",
                            NULL);
        /* … and every file, the very object its receipt names */
        if (!files_vaulted(v, session, rc, names, ret_unconfirmed, ret_message))
                return 0;
        return remove_session(spool_dirfd, dfd, session, names, ret_message);
}
