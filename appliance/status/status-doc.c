/* From the two published files to what the page shows. Whatever goes
 * wrong with the state file, the answer is "attention: recorder not
 * running", never the last state it held: a stale "Free" would send staff
 * into a room where an interview is going on. */
#include <errno.h>
#include <stdlib.h>

#include "backlog.h"
#include "room-reasons.h"
#include "status.h"
#include "utc-time.h"

void status_view_clear(status_view *v) {
        g_strfreev(v->attention);
        *v = (status_view){0};
}

static void recorder_down(status_view *v, int64_t since_us) {
        g_strfreev(v->attention);
        v->attention = g_new0(char *, 2);
        v->attention[0] = g_strdup(room_reason_to_string(REASON_RECORDER_DOWN));
        v->state = ROOM_ATTENTION;
        v->since_us = since_us;
        v->hours_left = -1;
}

static void load_state(const char *path, uid_t owner, int64_t now_us, int64_t down_since_us, status_view *v,
                       GString *problem) {
        room_state_doc doc = {0};
        g_autofree gchar *msg = NULL;
        g_autofree gchar *when = NULL;

        if (room_state_read_owned(path, owner, &doc, &msg) < 0) {
                g_string_append(problem, msg ? msg : "cannot read the state file");
                recorder_down(v, down_since_us);
                return;
        }
        if (llabs(now_us - doc.updated_us) > STATUS_STALE_US) {
                when = utc_time_format(doc.updated_us);
                g_string_append_printf(problem, "the recorder's state file was last updated at %s", when);
                recorder_down(v, doc.updated_us);
                room_state_doc_clear(&doc);
                return;
        }
        v->state = doc.state;
        v->since_us = doc.since_us;
        v->session_since_us = doc.session_since_us;
        v->hours_left = doc.hours_left;
        v->attention = doc.attention ? g_steal_pointer(&doc.attention) : g_new0(char *, 1);
        room_state_doc_clear(&doc);
}

void status_view_load(const char *state_file, uid_t state_owner, const char *backlog_file, int64_t now_us,
                      int64_t down_since_us, status_view *ret, gchar **ret_problem) {
        g_autoptr(GString) problem = g_string_new(NULL);
        g_autofree gchar *msg = NULL;
        status_view v = {.updated_us = now_us, .last_transfer_us = STATUS_LAST_TRANSFER_UNKNOWN};
        backlog_doc b = {0};
        int r;

        load_state(state_file, state_owner, now_us, down_since_us, &v, problem);
        /* The uploader may not exist yet: a missing backlog is "unknown",
         * not a fault; a broken one is unknown too, and said in the log. */
        r = backlog_read(backlog_file, &b, &msg);
        if (r >= 0)
                v.last_transfer_us =
                        b.last_transfer_us > 0 ? b.last_transfer_us : STATUS_LAST_TRANSFER_NEVER;
        else if (r != -ENOENT)
                g_string_append_printf(problem, "%s%s", problem->len ? "; " : "", msg);
        *ret = v;
        if (ret_problem)
                *ret_problem = problem->len ? g_string_free(g_steal_pointer(&problem), FALSE) : NULL;
}
