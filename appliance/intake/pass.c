/* One pass: the vault's receipts/ listed (the listing is the truth, so a
 * restart misses nothing), each entry that names a session taken in turn.
 * An entry that names no session is counted and never used as a path: the
 * listing is outside input. Memory is bounded by the number of sessions,
 * whatever else the folder holds. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "fdutil.h"
#include "fsutil.h"
#include "intake-internal.h"
#include "log.h"
#include "notify.h"
#include "uploader.h"

#define REFUSED_LOGGED_MAX 10 /* entries named one by one per pass; the rest are counted */

/* "<session>.jsonl" with a session id the uploader would send: the session
 * id (caller frees), or NULL. */
char *intake_receipts_session(const char *name) {
        size_t len = strlen(name);

        if (len <= strlen(".jsonl") || !g_str_has_suffix(name, ".jsonl"))
                return NULL;
        g_autofree char *id = g_strndup(name, len - strlen(".jsonl"));
        return upl_session_name_valid(id) ? g_steal_pointer(&id) : NULL;
}

void intake_refuse_entry(intake_pass_result *res, const char *name, const char *why) {
        if (res->refused++ < REFUSED_LOGGED_MAX) {
                g_autofree char *shown = escape_text(name);
                log_warning("vault receipts/%s is not used: %s", shown, why);
        }
}

/* The sessions whose receipts arrived, sorted (as the listing is). */
static int list_sessions(intake *in, GPtrArray *sessions, intake_pass_result *res, gchar **ret_message) {
        g_auto(fd_owned) fd =
                openat(in->vault_fd, "receipts", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        g_auto(GStrv) names = NULL;
        int r;

        if (fd < 0 && errno == ENOENT)
                return 0; /* nothing has arrived yet */
        r = fd < 0 ? -errno : fs_list_namesat(fd, FS_LIST_MAX, &names);
        if (r < 0) {
                *ret_message =
                        g_strdup_printf("cannot list %s/receipts: %s (check that the intake's user may "
                                        "read the vault)",
                                        in->conf->vault, g_strerror(-r));
                return r;
        }
        for (char **n = names; *n; n++) {
                struct stat st;
                char *id = intake_receipts_session(*n);
                if (!id) {
                        intake_refuse_entry(res, *n,
                                            "not the receipts file of a session (<session id>.jsonl)");
                        continue;
                }
                if (fstatat(fd, *n, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) {
                        intake_refuse_entry(res, *n, "not a regular file");
                        g_free(id);
                        continue;
                }
                g_ptr_array_add(sessions, id);
        }
        return 0;
}

int intake_pass(intake *in, intake_pass_result *ret, gchar **ret_message) {
        g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func(g_free);
        intake_pass_result res = {};
        int r;

        r = intake_canary(in);
        res.lock_not_enforced = r == -ENOLCK;
        res.canary_unchecked = r < 0 && r != -ENOLCK;
        r = in->vault ? intake_s3_list_sessions(in, sessions, &res, ret_message)
                      : list_sessions(in, sessions, &res, ret_message);
        if (r < 0)
                return r;
        if (res.refused > REFUSED_LOGGED_MAX)
                log_warning("%u more entries of %s/receipts are not used", res.refused - REFUSED_LOGGED_MAX,
                            in->conf->vault);
        for (guint i = 0; i < sessions->len; i++) {
                bool alert = false;
                intake_outcome o = intake_session(in, sessions->pdata[i], &alert);
                res.sessions++;
                res.written += o == INTAKE_WRITTEN;
                res.checked += o == INTAKE_CHECKED;
                res.failed += o == INTAKE_FAILED;
                res.alerts += alert;
                notify_watchdog_progress(); /* a long pass is alive while sessions go by */
                if (o != INTAKE_FAILED) {
                        g_autofree char *token_time = NULL;
                        bool written = false;
                        int t = intake_token(in, sessions->pdata[i], &written, &token_time);
                        res.tokens += written;
                        res.tokens_pending += t == -EAGAIN;
                        res.failed += t < 0 && t != -EAGAIN;
                        intake_index_session(in, sessions->pdata[i], t < 0 ? NULL : token_time);
                }
        }
        *ret = res;
        return 0;
}
