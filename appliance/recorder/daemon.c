/* The recorder daemon: the room's state machine, its publication, and the
 * session steps it drives the controller through. */
#include <errno.h>
#include <string.h>

#include "daemon-internal.h"
#include "notify.h"
#include "session-list.h"
#include "log.h"

/* Which state may follow which; everything else is a bug or a stale event. */
static const bool allowed[_ROOM_STATE_MAX][_ROOM_STATE_MAX] = {
        [ROOM_FREE] = {[ROOM_IDENTIFYING] = true, [ROOM_ATTENTION] = true, [ROOM_UNPROVISIONED] = true},
        [ROOM_IDENTIFYING] = {[ROOM_FREE] = true, [ROOM_READY] = true, [ROOM_ATTENTION] = true},
        [ROOM_READY] = {[ROOM_FREE] = true, [ROOM_RECORDING] = true, [ROOM_ATTENTION] = true},
        [ROOM_RECORDING] = {[ROOM_BREAK] = true, [ROOM_STOPPING] = true},
        [ROOM_BREAK] = {[ROOM_RECORDING] = true, [ROOM_STOPPING] = true},
        [ROOM_STOPPING] = {[ROOM_FREE] = true, [ROOM_ATTENTION] = true},
        [ROOM_ATTENTION] = {[ROOM_FREE] = true, [ROOM_IDENTIFYING] = true, [ROOM_UNPROVISIONED] = true},
};

static bool in_session(room_state s) {
        return s == ROOM_RECORDING || s == ROOM_BREAK || s == ROOM_STOPPING;
}

/* The room's state as published (a copy; room_state_doc_clear frees it). */
void daemon_state_doc(const rec_daemon *d, room_state_doc *ret) {
        GPtrArray *reasons = g_ptr_array_new();

        for (guint i = 0; i < d->attention->len; i++)
                g_ptr_array_add(reasons, g_strdup(d->attention->pdata[i]));
        g_ptr_array_add(reasons, NULL);
        *ret = (room_state_doc){
                .state = d->state,
                .since_us = d->since_us,
                .session_since_us = in_session(d->state) ? d->session_since_us : 0,
                .updated_us = g_get_real_time(),
                .attention = (char **) g_ptr_array_free(reasons, FALSE),
                .hours_left = d->hours_left,
        };
}

void daemon_publish(rec_daemon *d) {
        room_state_doc doc;
        int r;

        daemon_state_doc(d, &doc);
        r = room_state_publish(d->conf->recorder.state_file, &doc);
        room_state_doc_clear(&doc);
        if (r < 0)
                log_warning_errno(r, "cannot publish the room state to %s: %s", d->conf->recorder.state_file,
                                  g_strerror(-r));
}

static void show(rec_daemon *d) {
        if (d->lights)
                lights_show(d->lights, d->state, d->attention->len > 0);
        daemon_publish(d);
}

static gboolean on_ready_timeout(gpointer data) {
        rec_daemon *d = data;
        g_autofree gchar *msg = NULL;

        d->ready_timer = 0;
        (void) daemon_input_handle(d, &(daemon_input){.kind = INPUT_READY_TIMEOUT}, &msg);
        return G_SOURCE_REMOVE;
}

static void on_enter(rec_daemon *d, room_state old) {
        if (d->ready_timer && d->state != ROOM_READY) {
                g_source_remove(d->ready_timer);
                d->ready_timer = 0;
        }
        if (d->preflight_timer && d->state != ROOM_IDENTIFYING) {
                g_source_remove(d->preflight_timer);
                d->preflight_timer = 0;
        }
        switch (d->state) {
        case ROOM_FREE:
        case ROOM_ATTENTION:
        case ROOM_UNPROVISIONED:
                g_clear_pointer(&d->officer, g_free);
                break;
        case ROOM_IDENTIFYING:
                daemon_health_identifying(d);
                break;
        case ROOM_READY:
                d->ready_timer = g_timeout_add((guint) (d->conf->recorder.ready_timeout_ns / 1000000),
                                               on_ready_timeout, d);
                break;
        default:
                break;
        }
        (void) old;
}

int daemon_enter(rec_daemon *d, room_state next) {
        room_state old = d->state;

        if (next == old)
                return 0;
        if (!allowed[old][next]) {
                log_warning("room: %s → %s is not a transition the recorder makes; ignored",
                            room_state_to_string(old), room_state_to_string(next));
                return -EPERM;
        }
        d->state = next;
        d->since_us = g_get_real_time();
        /* a session begins at Start; a break and its resume do not move it */
        if (next == ROOM_RECORDING && !in_session(old))
                d->session_since_us = d->since_us;
        log_info("room: %s → %s", room_state_to_string(old), room_state_to_string(next));
        (void) notify_status("room %s", room_state_to_string(next)); /* systemctl status */
        on_enter(d, old);
        show(d);
        /* a waiting identify is answered at ready, a waiting start is
         * cancelled when the room goes back to free */
        control_answers_on_state(d->answers, next);
        return 0;
}

bool daemon_has_blocking(const rec_daemon *d) {
        for (guint i = 0; i < d->attention->len; i++)
                if (!g_hash_table_contains(d->warnings, d->attention->pdata[i]))
                        return true;
        return false;
}

static bool attention_listed(const rec_daemon *d, const char *reason) {
        for (guint i = 0; i < d->attention->len; i++)
                if (strcmp(d->attention->pdata[i], reason) == 0)
                        return true;
        return false;
}

void daemon_warning_add(rec_daemon *d, room_reason r) {
        const char *reason = room_reason_to_string(r);

        if (!reason || attention_listed(d, reason) || d->attention->len >= ROOM_ATTENTION_MAX)
                return;
        g_ptr_array_add(d->attention, g_strdup(reason));
        g_hash_table_add(d->warnings, g_strdup(reason));
        log_notice("warning: %s", reason);
        show(d);
}

void daemon_attention_add(rec_daemon *d, room_reason r) {
        const char *reason = room_reason_to_string(r);

        if (!reason || attention_listed(d, reason) || d->attention->len >= ROOM_ATTENTION_MAX)
                return;
        g_ptr_array_add(d->attention, g_strdup(reason));
        /* outside a session, a fault means the room cannot record */
        if (!in_session(d->state) && d->state != ROOM_UNPROVISIONED && d->state != ROOM_ATTENTION)
                daemon_back_to_free(d);
        else
                show(d);
}

void daemon_attention_remove(rec_daemon *d, room_reason r) {
        const char *reason = room_reason_to_string(r);

        for (guint i = 0; reason && i < d->attention->len; i++)
                if (strcmp(d->attention->pdata[i], reason) == 0) {
                        g_hash_table_remove(d->warnings, reason);
                        g_ptr_array_remove_index(d->attention, i);
                        if (d->state == ROOM_ATTENTION && !daemon_has_blocking(d))
                                (void) daemon_enter(d, ROOM_FREE);
                        else
                                show(d);
                        return;
                }
}

void daemon_note(rec_daemon *d, const char *what, const char *detail) {
        if (d->ctl && in_session(d->state)) {
                (void) rec_controller_note(d->ctl, what, detail);
                return;
        }
        /* the entry is signed later: it says when this happened */
        g_autofree gchar *at = room_state_format_time(g_get_real_time());
        g_autofree gchar *dated = g_strdup_printf("%s (at %s)", detail, at);
        pending_notes_add(&d->pending_notes, what, dated);
}

static void write_note(const char *what, const char *detail, void *userdata) {
        rec_daemon *d = userdata;
        (void) rec_controller_note(d->ctl, what, detail);
}

/* What waited for a session: start-up recovery's report, health faults
 * seen while no session was open (each its own entry, with its time),
 * wrong PINs (the guard's summary, one entry of bounded size), signed as
 * the session begins. */
static void write_pending_notes(rec_daemon *d) {
        g_autofree gchar *pins = pinguard_summary(&d->guard);

        if (d->recovery_note) {
                (void) rec_controller_note(d->ctl, "spool-recovery", d->recovery_note);
                g_clear_pointer(&d->recovery_note, g_free);
        }
        pending_notes_take(&d->pending_notes, write_note, d);
        if (pins && rec_controller_note(d->ctl, "pin-refused", pins) >= 0) {
                pinguard_summary_taken(&d->guard);
                daemon_guard_save(d);
        }
}

/* ---- the controller's callbacks ------------------------------------- */

/* The pipeline goes, and the analyser with it. */
static void controller_gone(rec_daemon *d) {
        d->ctl = rec_controller_free(d->ctl);
        daemon_health_pipeline_gone(d);
}

static void on_recording(void *userdata) {
        rec_daemon *d = userdata;

        log_info("recording into %s (the first segment file %.0f ms after Start)",
                 rec_controller_session_dir(d->ctl),
                 (double) (g_get_monotonic_time() - d->start_us) / 1000.0);
        daemon_attention_remove(d, REASON_LAST_FAULT);
        control_answers_on_recording(d->answers, d->state);
}

static void on_fault(room_reason reason, const char *detail, void *userdata) {
        rec_daemon *d = userdata;
        const char *words = room_reason_to_string(reason);

        log_warning("%s%s%s", words ? words : "", words ? ": " : "", detail);
        if (words)
                daemon_attention_add(d, reason);
}

static void on_ended(const rec_outcome *o, void *userdata) {
        rec_daemon *d = userdata;
        /* the outcome lives in the controller, which goes first */
        g_autofree gchar *message = g_strdup(o->message ? o->message : "the recording did not start");
        bool started = o->started, disk_full = o->disk_full;
        int result = o->result;
        g_autofree gchar *dir = g_strdup(o->session_dir);
        control_session_end stopped = {.dir = dir, .media_ns = o->media_ns, .segments = o->sealed};

        if (o->session_dir) {
                log_info("session %s ended: %d segment(s) sealed%s%s", o->session_dir, o->sealed,
                         result < 0 ? "; " : "", result < 0 ? message : "");
                if (rec_session_length_note(d->conf->recorder.state_dir, o->session_dir, o->media_ns,
                                            (unsigned) MAX(o->sealed, 0)) < 0)
                        log_warning("cannot note the session's length in %s", d->conf->recorder.state_dir);
        } else if (result < 0)
                log_error("%s", message);
        controller_gone(d);
        /* it was about that session's pipeline, not the room (docs/health.md) */
        daemon_attention_remove(d, REASON_BEHIND_REAL_TIME);
        if (started || result >= 0)
                control_answers_on_recording(d->answers, d->state);
        else
                control_answers_on_refused(d->answers, message);
        /* every session's end passes through stopping (sealing), also one
         * the pipeline ended by itself */
        if (d->state == ROOM_RECORDING || d->state == ROOM_BREAK)
                (void) daemon_enter(d, ROOM_STOPPING);
        if (result < 0)
                daemon_attention_add(d, disk_full ? REASON_DISK_FULL
                                        : started ? REASON_LAST_FAULT
                                                  : REASON_DEVICES_UNUSABLE);
        daemon_back_to_free(d);
        control_answers_on_ended(d->answers, &stopped, d->state);
        if (d->quitting)
                g_main_loop_quit(d->loop);
}

static const rec_controller_callbacks controller_callbacks = {on_recording, on_fault, on_ended,
                                                              daemon_health_on_measure};

/* ---- session steps -------------------------------------------------- */

static int new_controller(rec_daemon *d, gchar **ret_message) {
        const studio_recorder_conf *rc = &d->conf->recorder;
        rec_settings s = {
                .profile = d->profile,
                .spool = rc->spool,
                .state_dir = rc->state_dir,
                .room = rc->room,
                .recipients = d->recipients,
                .key = d->key,
                .device_id = d->device_id,
                .timesync_file = d->conf->health.timesync_file,
                .segment_time_ns = rc->segment_time_ns,
                .segment_bytes = rc->segment_bytes,
                .checkpoint_interval_ns = rc->checkpoint_interval_ns,
                .eos_timeout_ns = rc->eos_timeout_ns,
                .measure = d->conf->health.enabled,
                .observation_video = d->conf->observation.video_sink,
                .observation_audio = d->conf->observation.audio_sink,
        };
        int r = rec_controller_new(&s, &controller_callbacks, d, &d->ctl, ret_message);

        if (r < 0)
                return r;
        daemon_health_pipeline_new(d);
        if ((r = rec_controller_preroll(d->ctl, ret_message)) < 0)
                controller_gone(d);
        return r;
}

/* The PIN was right: the room is ready, with the capture side pre-rolled
 * so that Start records at once. */
int daemon_identified(rec_daemon *d, const char *officer, gchar **ret_message) {
        int r;

        g_free(d->officer);
        d->officer = g_strdup(officer);
        if (!d->ctl && (r = new_controller(d, ret_message)) < 0) {
                log_error("%s", *ret_message);
                /* the refusal in words first: the room then leaves identifying */
                d->start_after_identify = FALSE;
                control_answers_on_refused(d->answers, *ret_message);
                daemon_attention_add(d, REASON_DEVICES_UNUSABLE);
                return r;
        }
        /* the room stays identifying while the pre-flight looks */
        if (daemon_health_preflight_start(d))
                return 0;
        r = daemon_enter(d, ROOM_READY);
        if (r < 0) {
                *ret_message = g_strdup_printf("the room is %s", room_state_to_string(d->state));
                return r;
        }
        daemon_identify_done(d);
        return 0;
}

void daemon_identify_done(rec_daemon *d) {
        g_autofree gchar *msg = NULL;

        if (!d->start_after_identify)
                return; /* identify: answered as the room entered ready */
        d->start_after_identify = FALSE;
        if (daemon_input_handle(d, &(daemon_input){.kind = INPUT_START, .source = "studioctl"}, &msg) < 0 &&
            (!d->ctl || !rec_controller_ending(d->ctl)))
                control_answers_on_refused(d->answers, msg);
}

int daemon_start(rec_daemon *d, const char *source, gchar **ret_message) {
        int r;

        if ((r = daemon_health_may_record(d, ret_message)) < 0) {
                log_warning("%s", *ret_message);
                return r;
        }
        d->start_us = g_get_monotonic_time();
        r = rec_controller_start(d->ctl, d->officer, ret_message);
        if (r < 0 && !rec_controller_ending(d->ctl)) {
                log_error("%s", *ret_message);
                return r;
        }
        log_info("start (%s)", source);
        (void) daemon_enter(d, ROOM_RECORDING);
        if (r >= 0) {
                write_pending_notes(d);
                daemon_health_session_started(d);
        }
        return r;
}

void daemon_stop(rec_daemon *d, const char *reason) {
        (void) daemon_enter(d, ROOM_STOPPING);
        rec_controller_stop(d->ctl, reason);
}

int daemon_mark(rec_daemon *d, const char *source, const char *note, gchar **ret_message) {
        int r = rec_controller_mark(d->ctl, source, note, ret_message);

        if (r >= 0) /* the journal says that, never what: a note is sealed for the vault */
                log_info("mark from the %s%s", source, note ? " (with a sealed note)" : "");
        return r;
}

int daemon_break(rec_daemon *d, const char *source, gchar **ret_message) {
        int r = rec_controller_break(d->ctl, source, ret_message);

        if (r >= 0)
                (void) daemon_enter(d, ROOM_BREAK);
        return r;
}

int daemon_resume(rec_daemon *d, const char *source, gchar **ret_message) {
        int r = rec_controller_resume(d->ctl, source, ret_message);

        if (r >= 0)
                (void) daemon_enter(d, ROOM_RECORDING);
        return r;
}

/* The room after a session, a refused PIN or a ready time-out: free, or
 * attention while a reason stands. A pre-rolled pipeline goes too. */
void daemon_back_to_free(rec_daemon *d) {
        if (d->state == ROOM_UNPROVISIONED)
                return;
        if (d->ctl && !in_session(d->state))
                controller_gone(d);
        (void) daemon_enter(d, daemon_has_blocking(d) ? ROOM_ATTENTION : ROOM_FREE);
}
