/* studioctl's commands, as the control socket hands them over. Each is
 * checked against the room's state; a refusal says why. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "answers.h"
#include "daemon-internal.h"
#include "log.h"
#include "recovery.h"
#include "session-list.h"
#include "util.h"

/* The open session's marks so far and its length on the media timeline
 * (what a mark now would be stamped with, so that a script can wait for
 * media time); none outside a session. */
static void cmd_status(rec_daemon *d, control_request *req) {
        room_state_doc doc;
        control_session_now now = {.media_ns = -1};
        bool in_session = d->ctl && rec_controller_started(d->ctl) &&
                          (d->state == ROOM_RECORDING || d->state == ROOM_BREAK);

        if (in_session) {
                GstClockTime t = rec_controller_media_time(d->ctl);
                guint n = 0;
                now.marks = rec_controller_marks(d->ctl, &n);
                now.n_marks = n;
                if (GST_CLOCK_TIME_IS_VALID(t))
                        now.media_ns = (int64_t) MIN(t, (GstClockTime) G_MAXINT64);
        }
        daemon_state_doc(d, &doc);
        control_reply_status(req, &doc, in_session ? &now : NULL);
        room_state_doc_clear(&doc);
}

static void cmd_sessions(rec_daemon *d, control_request *req) {
        g_autofree gchar *msg = NULL;
        JsonArray *list = NULL;
        const char *recording = d->ctl ? rec_controller_session_dir(d->ctl) : NULL;
        int r = rec_session_list(d->conf->recorder.spool, d->conf->recorder.state_dir, recording, &list,
                                 &msg);

        if (r < 0)
                control_reply_refused(req, msg);
        else
                control_reply_sessions(req, list);
}

/* start with officer and PIN identifies and then starts; identify stops
 * at ready (pre-rolled, as after the panel's PIN entry); start alone is the
 * Start key for the officer already identified. The answer follows from
 * what the room does (control/answers.c). */
static void cmd_start(rec_daemon *d, control_request *req, const char *command, JsonObject *args) {
        const char *officer = control_args_string(args, "officer"), *pin = control_args_string(args, "pin");
        bool identify = strcmp(command, "identify") == 0;
        g_autofree gchar *msg = NULL;
        g_autofree gchar *needs = NULL;

        if (!identify && !officer && !pin) {
                if (control_answers_wait_start(d->answers, req, ROOM_RECORDING) < 0) {
                        control_reply_refused(req, "a start is already on its way");
                        return;
                }
                if (daemon_input_handle(d, &(daemon_input){.kind = INPUT_START, .source = "studioctl"},
                                        &msg) < 0)
                        control_answers_on_refused(d->answers, msg);
                return;
        }
        if (!officer || !pin) {
                needs = g_strdup_printf("%s needs \"officer\" and \"pin\"", command);
                control_reply_refused(req, needs);
                return;
        }
        if (control_answers_start_waiting(d->answers) || d->state == ROOM_READY) {
                needs = g_strdup_printf("an officer is already being identified or is ready to start "
                                        "(the room is %s)",
                                        room_state_to_string(d->state));
                control_reply_refused(req, needs);
                return;
        }
        if (daemon_input_handle(
                    d,
                    &(daemon_input){
                            .kind = INPUT_IDENTIFY, .source = "studioctl", .officer = officer, .pin = pin},
                    &msg) < 0) {
                control_reply_refused(req, msg);
                return;
        }
        (void) control_answers_wait_start(d->answers, req, identify ? ROOM_READY : ROOM_RECORDING);
        d->start_after_identify = !identify;
}

static void cmd_stop(rec_daemon *d, control_request *req) {
        g_autofree gchar *msg = NULL;

        if (daemon_input_handle(d, &(daemon_input){.kind = INPUT_STOP, .reason = "stopped"}, &msg) < 0)
                control_reply_refused(req, msg);
        else
                control_answers_wait_stop(d->answers, req);
}

/* The reply to mark, break, resume and cancel: r and msg come from a call
 * made before this one (never in the same argument list: C leaves the
 * order of arguments unspecified, and msg is set by the call). */
static void answer(rec_daemon *d, control_request *req, int r, gchar *msg) {
        g_autofree gchar *m = msg;

        if (r < 0)
                control_reply_refused(req, m ? m : g_strerror(-r));
        else
                control_reply_state(req, d->state, NULL);
}

static void cmd_mark(rec_daemon *d, control_request *req, JsonObject *args) {
        gchar *msg = NULL;
        int r = daemon_input_handle(d,
                                    &(daemon_input){.kind = INPUT_MARK,
                                                    .source = "studioctl",
                                                    .note = control_args_string(args, "note")},
                                    &msg);
        const guint64 *marks;
        guint n = 0;

        if (r < 0) {
                answer(d, req, r, msg);
                return;
        }
        marks = rec_controller_marks(d->ctl, &n);
        control_reply_marked(req, d->state, n ? marks[n - 1] : 0);
}

static void cmd_cancel(rec_daemon *d, control_request *req) {
        gchar *msg = NULL;
        int r = daemon_input_handle(d, &(daemon_input){.kind = INPUT_CANCEL, .source = "studioctl"}, &msg);

        if (r < 0)
                answer(d, req, r, msg);
        else
                control_reply_cancelled(req, d->state);
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

        (void) source;
        d->recovering = false;
        if (d->quitting) {
                control_reply_refused(j->req, "the recorder is shutting down; recovery of the spool ran "
                                              "and the next start checks it again");
                g_main_loop_quit(d->loop);
                return;
        }
        if (j->n < 0) {
                g_autofree gchar *why = g_strdup_printf("recovery of the spool %s failed: %s",
                                                        d->conf->recorder.spool, g_strerror(-j->n));
                log_warning("%s", why);
                control_reply_refused(j->req, why);
                return;
        }
        log_info("recovery of the spool done: %d session(s) closed", j->n);
        if (j->note) {
                g_free(d->recovery_note);
                d->recovery_note = g_strdup(j->note);
        }
        daemon_attention_remove(d, REASON_DISK_FULL);
        control_reply_recovered(j->req, j->n, j->note);
}

static void cmd_recover(rec_daemon *d, control_request *req) {
        g_autoptr(GTask) task = NULL;
        recover_job *j;

        if (d->state != ROOM_FREE && d->state != ROOM_ATTENTION) {
                g_autofree gchar *why = g_strdup_printf(
                        "recovery runs only while the room is free (it is %s): stop the session first",
                        room_state_to_string(d->state));
                control_reply_refused(req, why);
                return;
        }
        if (!d->key) {
                control_reply_refused(req, "recovery needs the device key, which is not provisioned");
                return;
        }
        if (d->recovering) {
                control_reply_refused(req, "recovery of the spool is already running; wait for its answer");
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
        else if (d->state == ROOM_UNPROVISIONED && strcmp(command, "unlock") != 0) {
                g_autofree gchar *why =
                        g_strdup_printf("the recorder is not provisioned: %s", d->unprovisioned_why);
                control_reply_refused(req, why);
        } else if (strcmp(command, "start") == 0 || strcmp(command, "identify") == 0)
                cmd_start(d, req, command, args);
        else if (strcmp(command, "mark") == 0)
                cmd_mark(d, req, args);
        else if (strcmp(command, "break") == 0 || strcmp(command, "resume") == 0) {
                daemon_input in = {.kind = command[0] == 'b' ? INPUT_BREAK : INPUT_RESUME,
                                   .source = "studioctl"};
                r = daemon_input_handle(d, &in, &msg);
                answer(d, req, r, msg);
        } else if (strcmp(command, "cancel") == 0)
                cmd_cancel(d, req);
        else if (strcmp(command, "stop") == 0)
                cmd_stop(d, req);
        else if (strcmp(command, "recover") == 0)
                cmd_recover(d, req);
        else if (strcmp(command, "unlock") == 0) {
                pinguard_unlock(&d->guard);
                daemon_guard_save(d);
                log_notice("the panel was unlocked by uid %u", (unsigned) control_request_uid(req));
                control_reply_state(req, d->state, NULL);
        } else {
                /* the reply is JSON; studioctl escapes what it prints */
                g_autofree gchar *why =
                        g_strdup_printf("unknown command \"%s\" (see studioctl --help)", command);
                control_reply_refused(req, why);
        }
}
