/* studioctl's commands, as the control socket hands them over. Each is
 * checked against the room's state; a refusal says why. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon-internal.h"
#include "log.h"
#include "recovery.h"
#include "session-list.h"
#include "util.h"

static const char *arg_string(JsonObject *args, const char *name) {
        JsonNode *n = json_object_get_member(args, name);

        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
                return NULL;
        return json_node_get_string(n);
}

static void reply_ok(control_request *req, const char *key, const char *value) {
        g_autoptr(JsonObject) o = json_object_new();

        if (key)
                json_object_set_string_member(o, key, value);
        control_request_reply(req, o);
}

void daemon_answer_start(rec_daemon *d, int r, const char *message) {
        control_request *req = g_steal_pointer(&d->start_req);

        if (!req)
                return;
        if (r < 0)
                control_request_fail(req, "%s", message ? message : g_strerror(-r));
        else
                reply_ok(req, "state", room_state_to_string(d->state));
}

void daemon_answer_stops(rec_daemon *d, const char *message) {
        while (d->stop_reqs->len) {
                control_request *req = g_ptr_array_steal_index(d->stop_reqs, 0);
                if (message)
                        control_request_fail(req, "%s", message);
                else
                        reply_ok(req, "state", room_state_to_string(d->state));
        }
}

/* "free", or "needs attention" (a reason stands: studioctl status says which). */
static const char *room_after(const rec_daemon *d) {
        return d->state == ROOM_ATTENTION ? "needs attention (studioctl status says why)"
                                          : room_state_to_string(d->state);
}

/* "stopped: 0:20:13 recorded in 5 segments, sealed; the room is free".
 * The session's id goes in its own member, for studioctl stop --verbose:
 * a shared screen never shows it unasked. */
void daemon_answer_stops_ended(rec_daemon *d, const rec_stopped *s) {
        char length[UTIL_HMS_MAX];

        util_format_hms(s->media_ns, length);
        while (d->stop_reqs->len) {
                control_request *req = g_ptr_array_steal_index(d->stop_reqs, 0);
                g_autoptr(JsonObject) o = json_object_new();
                g_autofree gchar *msg =
                        g_strdup_printf("stopped: %s recorded in %d segment%s, sealed; the room is %s",
                                        length, s->segments, s->segments == 1 ? "" : "s", room_after(d));
                json_object_set_string_member(o, "message", msg);
                json_object_set_string_member(o, "state", room_state_to_string(d->state));
                json_object_set_int_member(o, "media_ns", (gint64) MIN(s->media_ns, (uint64_t) G_MAXINT64));
                json_object_set_int_member(o, "segments", s->segments);
                if (s->dir) {
                        g_autofree gchar *id = g_path_get_basename(s->dir);
                        json_object_set_string_member(o, "session", id);
                }
                control_request_reply(req, o);
        }
}

/* The open session's marks so far, as media times (ns). */
static void add_marks(rec_daemon *d, JsonObject *o) {
        const guint64 *marks;
        JsonArray *a;
        guint n = 0;

        if (!d->ctl || !rec_controller_started(d->ctl) ||
            (d->state != ROOM_RECORDING && d->state != ROOM_BREAK))
                return;
        marks = rec_controller_marks(d->ctl, &n);
        a = json_array_new();
        for (guint i = 0; i < n; i++)
                json_array_add_int_element(a, (gint64) MIN(marks[i], (guint64) G_MAXINT64));
        json_object_set_array_member(o, "marks", a);
}

/* The open session's length so far on its media timeline (ns): what a mark
 * now would be stamped with, so that a script can wait for media time. */
static void add_media_time(rec_daemon *d, JsonObject *o) {
        GstClockTime t;

        if (!d->ctl || !rec_controller_started(d->ctl) ||
            (d->state != ROOM_RECORDING && d->state != ROOM_BREAK))
                return;
        t = rec_controller_media_time(d->ctl);
        if (GST_CLOCK_TIME_IS_VALID(t))
                json_object_set_int_member(o, "media_ns", (gint64) MIN(t, (GstClockTime) G_MAXINT64));
}

static void cmd_status(rec_daemon *d, control_request *req) {
        room_state_doc doc;
        g_autoptr(JsonObject) o = json_object_new();
        g_autofree gchar *text = NULL;
        g_autoptr(JsonParser) p = json_parser_new();

        daemon_state_doc(d, &doc);
        text = room_state_doc_to_json(&doc);
        room_state_doc_clear(&doc);
        if (!json_parser_load_from_data(p, text, -1, NULL)) {
                control_request_fail(req, "the state document could not be built");
                return;
        }
        json_object_set_member(o, "state", json_node_copy(json_parser_get_root(p)));
        add_marks(d, o);
        add_media_time(d, o);
        control_request_reply(req, o);
}

static void cmd_sessions(rec_daemon *d, control_request *req) {
        g_autoptr(JsonObject) o = json_object_new();
        g_autofree gchar *msg = NULL;
        JsonArray *list = NULL;
        const char *recording = d->ctl ? rec_controller_session_dir(d->ctl) : NULL;
        int r = rec_session_list(d->conf->recorder.spool, d->conf->recorder.state_dir, recording, &list,
                                 &msg);

        if (r < 0) {
                control_request_fail(req, "%s", msg);
                return;
        }
        json_object_set_array_member(o, "sessions", list);
        control_request_reply(req, o);
}

/* start with officer and PIN identifies and then starts; identify stops
 * at ready (pre-rolled, as after the panel's PIN entry); start alone is the
 * Start key for the officer already identified. */
static void cmd_start(rec_daemon *d, control_request *req, const char *command, JsonObject *args) {
        const char *officer = arg_string(args, "officer"), *pin = arg_string(args, "pin");
        bool identify = strcmp(command, "identify") == 0;
        g_autofree gchar *msg = NULL;

        if (!identify && !officer && !pin) {
                if (d->start_req) {
                        control_request_fail(req, "a start is already on its way");
                        return;
                }
                d->start_req = req;
                if (daemon_start(d, "studioctl", &msg) < 0 && d->start_req) {
                        d->start_req = NULL;
                        control_request_fail(req, "%s", msg);
                }
                return;
        }
        if (!officer || !pin) {
                control_request_fail(req, "%s needs \"officer\" and \"pin\"", command);
                return;
        }
        if (d->start_req || d->state == ROOM_READY) {
                control_request_fail(req,
                                     "an officer is already being identified or is ready to start "
                                     "(the room is %s)",
                                     room_state_to_string(d->state));
                return;
        }
        if (daemon_check_pin(d, officer, pin, &msg) < 0) {
                control_request_fail(req, "%s", msg);
                return;
        }
        d->start_req = req;
        d->start_after_identify = !identify;
}

static void cmd_stop(rec_daemon *d, control_request *req) {
        g_autofree gchar *msg = NULL;

        if (daemon_stop(d, "stopped", &msg) < 0) {
                control_request_fail(req, "%s", msg);
                return;
        }
        g_ptr_array_add(d->stop_reqs, req);
}

/* The reply to mark, break, resume and cancel: r and msg come from a call
 * made before this one (never in the same argument list: C leaves the
 * order of arguments unspecified, and msg is set by the call). */
static void answer(rec_daemon *d, control_request *req, int r, gchar *msg, const char *done) {
        g_autofree gchar *m = msg;
        g_autoptr(JsonObject) o = NULL;

        if (r < 0) {
                control_request_fail(req, "%s", m ? m : g_strerror(-r));
                return;
        }
        o = json_object_new();
        json_object_set_string_member(o, "state", room_state_to_string(d->state));
        if (done)
                json_object_set_string_member(o, "message", done);
        control_request_reply(req, o);
}

static void cmd_mark(rec_daemon *d, control_request *req, JsonObject *args) {
        gchar *msg = NULL;
        int r = daemon_mark(d, "studioctl", arg_string(args, "note"), &msg);
        const guint64 *marks;
        char at[UTIL_HMS_MAX];
        g_autofree gchar *done = NULL;
        guint n = 0;

        if (r >= 0) {
                marks = rec_controller_marks(d->ctl, &n);
                util_format_hms(n ? marks[n - 1] : 0, at);
                done = g_strdup_printf("mark at %s media time", at);
        }
        answer(d, req, r, msg, done);
}

/* ---- recover: it hashes whole segments, so it runs on a worker ---- */

typedef struct recover_job {
        rec_daemon *d;
        control_request *req;
        int n;
        char *note;
} recover_job;

static void recover_job_free(gpointer data) {
        recover_job *j = data;

        g_free(j->note);
        g_free(j);
}

/* The worker reads the configuration and the device key, which the loop
 * leaves alone while it runs: shutdown waits for it (on_terminate). */
static void recover_in_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel) {
        recover_job *j = data;
        const studio_recorder_conf *rc = &j->d->conf->recorder;

        (void) source;
        (void) cancel;
        j->n = rec_recover_spool(rc->spool, rc->state_dir, j->d->key, &j->note);
        g_task_return_boolean(task, TRUE);
}

static void on_recovered(GObject *source, GAsyncResult *res, gpointer data) {
        rec_daemon *d = data;
        recover_job *j = g_task_get_task_data(G_TASK(res));
        g_autoptr(JsonObject) reply = NULL;

        (void) source;
        d->recovering = false;
        if (d->quitting) {
                control_request_fail(j->req, "the recorder is shutting down; recovery of the spool ran "
                                             "and the next start checks it again");
                g_main_loop_quit(d->loop);
                return;
        }
        if (j->n < 0) {
                log_warning("recovery of the spool failed: %s", g_strerror(-j->n));
                control_request_fail(j->req, "recovery of the spool %s failed: %s", d->conf->recorder.spool,
                                     g_strerror(-j->n));
                return;
        }
        log_info("recovery of the spool done: %d session(s) closed", j->n);
        if (j->note) {
                g_free(d->recovery_note);
                d->recovery_note = g_strdup(j->note);
        }
        daemon_attention_remove(d, REASON_DISK_FULL);
        reply = json_object_new();
        json_object_set_int_member(reply, "recovered", j->n);
        /* recovery's report also names folders it left untouched (n may be 0) */
        json_object_set_string_member(reply, "message",
                                      j->n > 0 || j->note ? (j->note ? j->note : "recovered")
                                                          : "nothing to recover");
        control_request_reply(j->req, reply);
}

static void cmd_recover(rec_daemon *d, control_request *req) {
        g_autoptr(GTask) task = NULL;
        recover_job *j;

        if (d->state != ROOM_FREE && d->state != ROOM_ATTENTION) {
                control_request_fail(
                        req, "recovery runs only while the room is free (it is %s): stop the session first",
                        room_state_to_string(d->state));
                return;
        }
        if (!d->key) {
                control_request_fail(req, "recovery needs the device key, which is not provisioned");
                return;
        }
        if (d->recovering) {
                control_request_fail(req, "recovery of the spool is already running; wait for its answer");
                return;
        }
        log_info("recovery of the spool started (studioctl recover, uid %u)",
                 (unsigned) control_request_uid(req));
        j = g_new0(recover_job, 1);
        j->d = d;
        j->req = req;
        d->recovering = true;
        task = g_task_new(NULL, NULL, on_recovered, d);
        g_task_set_task_data(task, j, recover_job_free);
        g_task_run_in_thread(task, recover_in_thread);
}

void daemon_on_command(control_request *req, const char *command, JsonObject *args, void *userdata) {
        rec_daemon *d = userdata;
        gchar *msg = NULL;
        int r;

        log_debug("command %s from uid %u", command, (unsigned) control_request_uid(req));
        if (strcmp(command, "status") == 0)
                cmd_status(d, req);
        else if (strcmp(command, "sessions") == 0)
                cmd_sessions(d, req);
        else if (d->state == ROOM_UNPROVISIONED && strcmp(command, "unlock") != 0)
                control_request_fail(req, "the recorder is not provisioned: %s", d->unprovisioned_why);
        else if (strcmp(command, "start") == 0 || strcmp(command, "identify") == 0)
                cmd_start(d, req, command, args);
        else if (strcmp(command, "mark") == 0)
                cmd_mark(d, req, args);
        else if (strcmp(command, "break") == 0) {
                r = daemon_break(d, "studioctl", &msg);
                answer(d, req, r, msg, NULL);
        } else if (strcmp(command, "resume") == 0) {
                r = daemon_resume(d, "studioctl", &msg);
                answer(d, req, r, msg, NULL);
        } else if (strcmp(command, "cancel") == 0) {
                g_autofree gchar *done = NULL;
                r = daemon_cancel(d, &msg);
                if (r >= 0)
                        done = g_strdup_printf("cancelled: the room is %s", room_after(d));
                answer(d, req, r, msg, done);
        } else if (strcmp(command, "stop") == 0)
                cmd_stop(d, req);
        else if (strcmp(command, "recover") == 0)
                cmd_recover(d, req);
        else if (strcmp(command, "unlock") == 0) {
                pinguard_unlock(&d->guard);
                daemon_guard_save(d);
                log_notice("the panel was unlocked by uid %u", (unsigned) control_request_uid(req));
                reply_ok(req, "state", room_state_to_string(d->state));
        } else
                control_request_fail(req, "unknown command \"%s\" (see studioctl --help)", command);
}
