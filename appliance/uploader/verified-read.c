/* Where the intake's records are read from (wipe_after = verified), and the
 * whole check of one session folder against its record (verified.c has
 * the record's own check). A dir: place is read with openat and
 * O_NOFOLLOW, an s3:// one with the uploader's credentials through the
 * vault library; both bounded to UPL_RECORD_MAX. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "custody.h"
#include "escape.h"
#include "fdutil.h"
#include "fsutil.h"
#include "uploader.h"
#include "util.h"

#define RECORDS_FOLDER "verifications" /* as appliance/intake/intake.h */

struct upl_records {
        gchar *where;  /* as configured, for messages */
        int dir_fd;    /* dir: the records' folder (RECORDS, holding verifications/) */
        vault *remote; /* s3: the records' place, read with the uploader's credentials */
};

int upl_records_open(const studio_uploader_conf *conf, upl_records **ret, gchar **ret_message) {
        g_autofree gchar *where = studio_conf_intake_records(conf);
        upl_records *rs;

        if (!where) {
                *ret_message = g_strdup("no vault is configured, so no intake records either");
                return -EINVAL;
        }
        rs = g_new0(upl_records, 1);
        rs->dir_fd = -EBADF;
        rs->where = g_steal_pointer(&where);
        if (g_str_has_prefix(rs->where, "dir:")) {
                rs->dir_fd = fs_open_dir(rs->where + strlen("dir:"));
                if (rs->dir_fd < 0) {
                        int r = rs->dir_fd;
                        *ret_message = g_strdup_printf("[uploader] intake_records %s cannot be opened: %s",
                                                       rs->where, g_strerror(-r));
                        upl_records_free(rs);
                        return r;
                }
        } else {
                studio_uploader_conf u = *conf;
                u.vault = rs->where;
                int r = vault_open(&u, &rs->remote, ret_message);
                if (r < 0) {
                        upl_records_free(rs);
                        return r;
                }
        }
        *ret = rs;
        return 0;
}

upl_records *upl_records_free(upl_records *rs) {
        if (!rs)
                return NULL;
        if (rs->dir_fd >= 0)
                (void) close(rs->dir_fd);
        vault_free(rs->remote);
        g_free(rs->where);
        g_free(rs);
        return NULL;
}

const char *upl_records_describe(const upl_records *rs) {
        return rs->where;
}

static int read_remote(upl_records *rs, const char *key, char **ret, size_t *ret_len, gchar **ret_message) {
        g_auto(fd_owned) fd = memfd_create("intake-record", MFD_CLOEXEC);
        int r;

        if (fd < 0)
                return -errno;
        r = vault_get(rs->remote, key, fd, UPL_RECORD_MAX, NULL, ret_message);
        if (r < 0)
                return r;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return -errno;
        return fs_read_fd(fd, UPL_RECORD_MAX, ret, ret_len);
}

static int read_local(upl_records *rs, const char *name, char **ret, size_t *ret_len, gchar **ret_message) {
        g_auto(fd_owned) dfd =
                openat(rs->dir_fd, RECORDS_FOLDER, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int r;

        if (dfd < 0 && errno == ENOENT)
                return -ENOENT;
        if (dfd < 0) {
                r = -errno;
                *ret_message =
                        g_strdup_printf("cannot open %s/" RECORDS_FOLDER ": %s", rs->where, g_strerror(-r));
                return r;
        }
        r = fs_read_fileat(dfd, name, UPL_RECORD_MAX, ret, ret_len);
        if (r < 0 && r != -ENOENT)
                *ret_message =
                        g_strdup_printf("cannot read %s in %s/" RECORDS_FOLDER ": %s", name, rs->where,
                                        r == -EFBIG ? "larger than any record" : g_strerror(-r));
        return r;
}

static int read_one(upl_records *rs, const char *name, char **ret, size_t *ret_len, gchar **ret_message) {
        g_autofree gchar *key = g_strdup_printf(RECORDS_FOLDER "/%s", name);

        return rs->remote ? read_remote(rs, key, ret, ret_len, ret_message)
                          : read_local(rs, name, ret, ret_len, ret_message);
}

int upl_records_read(upl_records *rs, const char *session, char **ret_rec, size_t *ret_rec_len,
                     char **ret_sig, size_t *ret_sig_len, gchar **ret_message) {
        g_autofree gchar *name = g_strdup_printf("%s.json", session);
        g_autofree gchar *sig_name = g_strdup_printf("%s.json.minisig", session);
        int r;

        if (!upl_session_name_valid(session))
                return -EINVAL;
        /* the signature first: the intake writes it before the record */
        r = read_one(rs, sig_name, ret_sig, ret_sig_len, ret_message);
        if (r == 0) {
                r = read_one(rs, name, ret_rec, ret_rec_len, ret_message);
                if (r < 0)
                        g_clear_pointer(ret_sig, g_free);
        }
        return r;
}

/* The local manifest's SHA-256 and whether the device recovered the session
 * (the manifest marks a segment truncated: recovery after a power cut, or
 * a recording ended on a fault, closed the same way). */
static int manifest_facts(int dfd, char ret_sha[SHA256_HEX_LEN + 1], bool *ret_recovered) {
        g_autofree char *data = NULL, *err = NULL;
        custody_manifest *m = NULL;
        uint8_t d[SHA256_LEN];
        size_t len = 0;
        int r = fs_read_fileat(dfd, "manifest.json", CUSTODY_MANIFEST_MAX, &data, &len);

        if (r < 0)
                return r;
        sha256_buf(data, len, d);
        sha256_hex(d, ret_sha);
        *ret_recovered = false;
        if (custody_manifest_parse(data, len, &m, &err) < 0)
                return 0; /* TRUNCATED is then never accepted; INTACT still is */
        for (size_t i = 0; i < m->n_segments; i++)
                *ret_recovered = *ret_recovered || m->segments[i].truncated;
        custody_manifest_free(m);
        return 0;
}

int upl_verified(upl_records *rs, const upl_intake_keys *keys, int dfd, const char *session,
                 gchar **ret_message) {
        g_autofree char *rec = NULL, *sig = NULL;
        g_autofree gchar *why = NULL;
        char sha[SHA256_HEX_LEN + 1];
        size_t rec_len = 0, sig_len = 0;
        bool recovered = false;
        int r;

        if (manifest_facts(dfd, sha, &recovered) < 0) {
                *ret_message =
                        g_strdup("its manifest.json cannot be read to compare with the intake's record");
                return UPL_VERIFY_REFUSED;
        }
        r = upl_records_read(rs, session, &rec, &rec_len, &sig, &sig_len, &why);
        if (r == -ENOENT) {
                *ret_message = g_strdup_printf("awaiting the police side's verification: no intake record "
                                               "for it in %s yet",
                                               rs->where);
                return UPL_VERIFY_AWAITING;
        }
        if (r < 0) {
                g_autofree char *shown = escape_text(why ? why : g_strerror(-r));
                *ret_message = g_strdup_printf("awaiting the police side's verification: its intake record "
                                               "in %s cannot be read now (%s)",
                                               rs->where, shown);
                /* an oversized record or a link in its place is no record the
                 * intake wrote: refused; anything else may pass (a vault that
                 * cannot be asked now) */
                return r == -EFBIG || r == -ELOOP ? UPL_VERIFY_REFUSED : UPL_VERIFY_AWAITING;
        }
        g_clear_pointer(&why, g_free);
        r = upl_record_check(rec, rec_len, sig, sig_len, keys, session, sha, recovered, &why);
        if (r < 0) {
                *ret_message = g_strdup_printf("vault verification failed — call police IT: the intake's "
                                               "record in %s is refused: %s",
                                               rs->where, why);
                return UPL_VERIFY_REFUSED;
        }
        return UPL_VERIFY_OK;
}

upl_verifier *upl_verifier_new(const studio_uploader_conf *conf) {
        upl_verifier *ver = g_new0(upl_verifier, 1);
        g_autofree gchar *why = NULL;

        if (upl_intake_keys_load(conf->intake_key, &ver->keys, &why) < 0 ||
            upl_records_open(conf, &ver->records, &why) < 0)
                ver->unusable = g_steal_pointer(&why);
        return ver;
}

upl_verifier *upl_verifier_free(upl_verifier *ver) {
        if (!ver)
                return NULL;
        upl_records_free(ver->records);
        g_free(ver->unusable);
        g_free(ver);
        return NULL;
}
