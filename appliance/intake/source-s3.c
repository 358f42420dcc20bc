/* An s3:// vault as the intake reads it: PREFIX/receipts/ listed
 * (ListObjectsV2, paged; the listing is the truth), and a session's
 * objects fetched into a fresh folder of the scratch space so that the
 * verifier's library checks them exactly as it checks a directory vault.
 * Every key from the listing is outside input: a name that no session
 * folder may hold is counted and logged escaped, never used as a path.
 * Every GET is bounded before it starts: the fixed files by the verifier's
 * own limits, a segment by the size the manifest gives it (one byte more
 * and the copy is marked larger, so the verifier finds it so); memory
 * stays bounded by one listing page and curl's buffer. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "custody.h"
#include "escape.h"
#include "fdutil.h"
#include "fsutil.h"
#include "intake-internal.h"
#include "log.h"
#include "notify.h"
#include "util.h"

#define SESSION_OBJECTS_MAX 10000 /* objects of one session taken from its listing (names <= 1 KiB) */
#define SIG_MAX (64 * 1024)
#define SCRATCH_RESERVE (64u << 20) /* left free in the scratch space, for the records and the index */

typedef struct receipts_walk {
        intake *in;
        GPtrArray *sessions;
        intake_pass_result *res;
} receipts_walk;

static int on_receipt(const char *key, uint64_t size, int64_t modified_us, void *userdata) {
        receipts_walk *w = userdata;
        const char *name = key + strlen("receipts/");
        (void) size;

        if (!g_str_has_prefix(key, "receipts/") || strchr(name, '/') || !vault_key_valid(key)) {
                intake_refuse_entry(w->res, name, "not the receipts file of a session (<session id>.jsonl)");
                return 0;
        }
        char *id = intake_receipts_session(name);
        if (!id) {
                intake_refuse_entry(w->res, name, "not the receipts file of a session (<session id>.jsonl)");
                return 0;
        }
        g_hash_table_replace(w->in->arrived_us, g_strdup(id), g_memdup2(&modified_us, sizeof modified_us));
        g_ptr_array_add(w->sessions, id);
        return 0;
}

int intake_s3_list_sessions(intake *in, GPtrArray *sessions, intake_pass_result *res, gchar **ret_message) {
        receipts_walk w = {.in = in, .sessions = sessions, .res = res};
        unsigned undecodable = 0;
        int r;

        g_hash_table_remove_all(in->arrived_us);
        r = vault_list(in->vault, "receipts/", on_receipt, &w, &undecodable, ret_message);
        if (undecodable)
                log_warning("%u entries of %s receipts/ cannot be decoded from the listing: not used",
                            undecodable, in->conf->vault);
        res->refused += undecodable;
        return r;
}

/* The session's objects named in its listing: plain names only. */
typedef struct session_walk {
        const char *session;
        GPtrArray *names;
        GArray *sizes; /* uint64_t: each name's size as the listing gives it */
        unsigned refused;
} session_walk;

static int on_object(const char *key, uint64_t size, int64_t modified_us, void *userdata) {
        session_walk *w = userdata;
        const char *name = key + strlen(w->session) + 1;
        (void) modified_us;

        if (!vault_key_valid(key) || strchr(name, '/') || w->names->len >= SESSION_OBJECTS_MAX) {
                if (w->refused++ < 10) {
                        g_autofree char *shown = escape_text(name);
                        log_warning("session %s: object %s is no file a session holds: not fetched",
                                    w->session, shown);
                }
                return 0;
        }
        g_ptr_array_add(w->names, g_strdup(name));
        g_array_append_val(w->sizes, size);
        return 0;
}

/* The most bytes a file of the session may have: the verifier's limits
 * for the fixed files, the manifest's size for a segment it lists; 0 for
 * anything else (an empty stand-in is made: the verifier names it). */
static uint64_t object_max(const char *name, const custody_manifest *m) {
        if (g_str_has_suffix(name, ".minisig"))
                return SIG_MAX;
        if (g_str_equal(name, "manifest.json") || g_str_equal(name, "SHA256SUMS") ||
            g_str_equal(name, "SHA256SUMS.sealed"))
                return CUSTODY_MANIFEST_MAX;
        if (g_str_equal(name, "custody.jsonl"))
                return CUSTODY_LOG_MAX;
        for (size_t i = 0; m && i < m->n_segments; i++)
                if (g_str_equal(m->segments[i].name, name))
                        return m->segments[i].sealed_bytes;
        return 0;
}

static int fetch_object(intake *in, int dfd, const char *session, const char *name, uint64_t max) {
        g_autofree char *key = g_strdup_printf("%s/%s", session, name);
        g_autofree gchar *msg = NULL;
        g_auto(fd_owned) fd =
                openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
        int r;

        if (fd < 0)
                return log_error("session %s: cannot make %s in the scratch folder %s: %m", session, name,
                                 in->conf->scratch),
                       -errno;
        if (max == 0 && object_max(name, NULL) == 0)
                return 0; /* unlisted: named by the verifier, never read */
        r = vault_get(in->vault, key, fd, max, NULL, &msg);
        if (r == -EFBIG) {
                /* larger than it may be: the copy says so by its size */
                log_warning("session %s: %s", session, msg);
                return ftruncate(fd, (off_t) max + 1) < 0 ? -errno : 0;
        }
        if (r < 0)
                log_error("session %s: %s", session, msg);
        return r;
}

static custody_manifest *fetched_manifest(int dfd) {
        g_autofree char *data = NULL, *why = NULL;
        custody_manifest *m = NULL;
        size_t len = 0;

        if (fs_read_fileat(dfd, "manifest.json", CUSTODY_MANIFEST_MAX, &data, &len) < 0 ||
            custody_manifest_parse(data, len, &m, &why) < 0)
                return NULL;
        return m;
}

/* The bytes the session's objects may take (each bounded as it will be
 * fetched) must fit the scratch space's free room, less a reserve: a
 * session whose objects would take more (too large for the disk, or
 * planted to fill it) is refused before anything but the manifest is
 * fetched, and the next pass tries again. */
static int scratch_room(intake *in, const session_walk *w, const custody_manifest *m) {
        const char *session = w->session;
        struct statvfs v;
        uint64_t need = 0, avail;

        /* the listing's size, never more than the fetch will take */
        for (guint i = 0; i < w->names->len; i++)
                if (!g_str_equal(w->names->pdata[i], "manifest.json"))
                        need += MIN(g_array_index(w->sizes, uint64_t, i),
                                    object_max(w->names->pdata[i], m)) +
                                1;
        if (statvfs(in->conf->scratch, &v) < 0)
                return log_error("the scratch folder %s cannot be measured: %m", in->conf->scratch), -errno;
        avail = (uint64_t) v.f_bavail * v.f_frsize;
        avail = avail > SCRATCH_RESERVE ? avail - SCRATCH_RESERVE : 0;
        if (need <= avail)
                return 0;
        return log_error(
                       "session %s needs %" PRIu64 " MiB in the scratch folder %s, which has %" PRIu64
                       " MiB free beyond its %u MiB reserve: free space there, or set [intake] scratch to a "
                       "larger disk",
                       session, need >> 20, in->conf->scratch, avail >> 20, SCRATCH_RESERVE >> 20),
               -ENOSPC;
}

/* An empty folder for the session in the scratch space (what an earlier,
 * interrupted pass left there is removed first). */
static int fresh_folder(intake *in, const char *session, int *ret_fd) {
        g_auto(fd_owned) sfd = fs_open_dir(in->conf->scratch);

        if (sfd < 0)
                return log_error("the scratch folder %s cannot be opened (%s): create it, writable by the "
                                 "intake's user only",
                                 in->conf->scratch, g_strerror(-sfd)),
                       sfd;
        intake_s3_drop(in, session);
        if (mkdirat(sfd, session, 0700) < 0)
                return log_error("cannot make %s/%s: %m", in->conf->scratch, session), -errno;
        *ret_fd = openat(sfd, session, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return *ret_fd < 0 ? -errno : 0;
}

int intake_s3_fetch(intake *in, const char *session, int *ret_dirfd, unsigned *ret_refused) {
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        g_autofree char *prefix = g_strdup_printf("%s/", session);
        g_autofree gchar *msg = NULL;
        g_autoptr(GArray) sizes = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        session_walk w = {.session = session, .names = names, .sizes = sizes};
        g_auto(fd_owned) dfd = -EBADF;
        custody_manifest *m = NULL;
        unsigned undecodable = 0;
        int r;

        r = vault_list(in->vault, prefix, on_object, &w, &undecodable, &msg);
        if (r < 0)
                return log_error("session %s: its objects cannot be listed: %s", session, msg), r;
        r = fresh_folder(in, session, &dfd);
        if (r < 0)
                return r;
        for (guint i = 0; i < names->len && r >= 0; i++)
                if (g_str_equal(names->pdata[i], "manifest.json"))
                        r = fetch_object(in, dfd, session, "manifest.json", CUSTODY_MANIFEST_MAX);
        m = r >= 0 ? fetched_manifest(dfd) : NULL;
        if (r >= 0)
                r = scratch_room(in, &w, m);
        for (guint i = 0; i < names->len && r >= 0; i++) {
                if (!g_str_equal(names->pdata[i], "manifest.json"))
                        r = fetch_object(in, dfd, session, names->pdata[i], object_max(names->pdata[i], m));
                notify_watchdog_progress();
        }
        custody_manifest_free(m);
        if (r < 0) {
                fd_close_owned(dfd);
                dfd = -EBADF;
                intake_s3_drop(in, session); /* nothing half-fetched stays in the scratch space */
                return r;
        }
        *ret_refused = w.refused + undecodable;
        *ret_dirfd = TAKE_FD(dfd);
        return 0;
}

void intake_s3_drop(intake *in, const char *session) {
        g_auto(fd_owned) sfd = fs_open_dir(in->conf->scratch);
        g_auto(fd_owned) dfd = -EBADF;
        g_auto(GStrv) names = NULL;

        if (sfd < 0)
                return;
        dfd = openat(sfd, session, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd >= 0 && fs_list_namesat(dfd, FS_LIST_MAX, &names) >= 0)
                for (char **n = names; *n; n++)
                        (void) unlinkat(dfd, *n, 0);
        (void) unlinkat(sfd, session, AT_REMOVEDIR);
}

int intake_s3_receipts(intake *in, const char *session, char **ret_data, size_t *ret_len,
                       int64_t *ret_arrived_us) {
        g_autofree char *key = g_strdup_printf("receipts/%s.jsonl", session);
        g_autofree gchar *msg = NULL;
        g_auto(fd_owned) fd = memfd_create("intake-receipts", MFD_CLOEXEC);
        const int64_t *arrived = g_hash_table_lookup(in->arrived_us, session);
        int r;

        if (fd < 0)
                return -errno;
        r = vault_get(in->vault, key, fd, INTAKE_RECEIPTS_MAX, NULL, &msg);
        if (r < 0)
                return log_error("session %s: %s", session, msg), r;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return -errno;
        *ret_arrived_us = arrived ? *arrived : 0;
        return fs_read_fd(fd, INTAKE_RECEIPTS_MAX, ret_data, ret_len);
}
