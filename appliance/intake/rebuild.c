/* --rebuild-index: the index made again from the records alone. Only a
 * record whose signature verifies under the intake's key becomes a row
 * (the index is a cache of what the vault proves); a token counts only
 * when it verifies under tsa_ca_file. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "fdutil.h"
#include "fsutil.h"
#include "intake-internal.h"
#include "log.h"
#include "tsa.h"
#include "uploader.h"

static void rebuild_one(intake *in, const char *session, unsigned *rows) {
        g_autofree char *key = intake_record_key(session, ""),
                        *sig_key = intake_record_key(session, ".minisig");
        g_autofree char *tsr_key = intake_record_key(session, ".tsr");
        g_autofree char *text = NULL, *sig = NULL, *tsr = NULL, *when = NULL;
        g_autofree gchar *msg = NULL;
        size_t len = 0, sig_len = 0, tsr_len = 0;

        if (intake_records_read(in, key, INTAKE_RECORD_MAX, &text, &len, &msg) < 0 ||
            intake_records_read(in, sig_key, 64 * 1024, &sig, &sig_len, &msg) < 0 ||
            minisign_verify_buf(&in->pk, (const uint8_t *) text, len, sig, sig_len, NULL) < 0) {
                log_warning("session %s: its record is not indexed: it is not signed by the intake's key %s",
                            session, in->key_id);
                return;
        }
        if (in->conf->tsa_ca_file &&
            intake_records_read(in, tsr_key, TSA_RESPONSE_MAX, &tsr, &tsr_len, &msg) >= 0)
                (void) tsa_verify((const uint8_t *) tsr, tsr_len, text, len, in->conf->tsa_ca_file, &when,
                                  &msg);
        if (intake_index_put(in->index, text, len, when, &msg) < 0)
                log_warning("session %s: not in the index: %s", session, msg);
        else
                (*rows)++;
}

/* "<session>.json" names a record; .minisig, .tsr and anything else not. */
static void rebuild_name(intake *in, const char *name, unsigned *rows) {
        size_t n = strlen(name);

        if (n <= 5 || !g_str_has_suffix(name, ".json"))
                return;
        g_autofree char *session = g_strndup(name, n - 5);
        if (upl_session_name_valid(session))
                rebuild_one(in, session, rows);
}

typedef struct rebuild_walk {
        intake *in;
        unsigned rows;
} rebuild_walk;

static int on_record(const char *key, uint64_t size, int64_t modified_us, void *userdata) {
        rebuild_walk *w = userdata;
        const char *name = key + strlen(INTAKE_RECORDS_FOLDER "/");
        (void) size, (void) modified_us;

        if (g_str_has_prefix(key, INTAKE_RECORDS_FOLDER "/") && !strchr(name, '/'))
                rebuild_name(w->in, name, &w->rows);
        return 0;
}

static int rebuild_s3(intake *in, unsigned *ret_rows, gchar **ret_message) {
        rebuild_walk w = {.in = in};
        int r = vault_list(in->records, INTAKE_RECORDS_FOLDER "/", on_record, &w, NULL, ret_message);

        *ret_rows = w.rows;
        return r;
}

int intake_rebuild_index(intake *in, unsigned *ret_rows, gchar **ret_message) {
        g_auto(fd_owned) fd = openat(in->records_fd, INTAKE_RECORDS_FOLDER,
                                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        g_auto(GStrv) names = NULL;
        unsigned rows = 0;
        int r;

        r = intake_index_clear(in->index, ret_message);
        if (r < 0)
                return r;
        if (in->records_fd < 0)
                return rebuild_s3(in, ret_rows, ret_message);
        if (fd < 0 && errno == ENOENT)
                return *ret_rows = 0, 0;
        r = fd < 0 ? -errno : fs_list_namesat(fd, FS_LIST_MAX, &names);
        if (r < 0) {
                *ret_message = g_strdup_printf("cannot list %s/%s: %s", in->conf->records,
                                               INTAKE_RECORDS_FOLDER, g_strerror(-r));
                return r;
        }
        for (char **n = names; *n; n++)
                rebuild_name(in, *n, &rows);
        *ret_rows = rows;
        return 0;
}
