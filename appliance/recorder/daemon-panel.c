/* Identification and the keypad: PIN checks run on a worker thread
 * (Argon2id takes a noticeable fraction of a second, and the lights and
 * the panel must stay responsive meanwhile); everything else is an event
 * on the loop. */
#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "daemon-internal.h"
#include "log.h"

typedef struct pin_job {
        rec_daemon *d;
        char officer[OFFICERS_NUMBER_MAX + 1];
        char *pin; /* sodium_malloc'd */
        int result;
} pin_job;

static void pin_job_free(gpointer p) {
        pin_job *j = p;

        if (j->pin) {
                sodium_memzero(j->pin, OFFICERS_PIN_MAX + 1);
                sodium_free(j->pin);
        }
        g_free(j);
}

static void check_in_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel) {
        pin_job *j = data;

        (void) source;
        (void) cancel;
        j->result = pincheck_verify(j->d->pincheck, j->d->officers, j->officer, j->pin);
        sodium_memzero(j->pin, OFFICERS_PIN_MAX + 1);
        g_task_return_boolean(task, TRUE);
}

void daemon_guard_save(rec_daemon *d) {
        int r = pinguard_save(&d->guard, d->conf->recorder.state_dir);
        if (r < 0)
                log_error("cannot save the PIN guard's state in %s: %s (a restart would forget wrong PINs; "
                          "check the state folder)",
                          d->conf->recorder.state_dir, g_strerror(-r));
}

int daemon_guard_load(rec_daemon *d) {
        uint64_t now = (uint64_t) g_get_monotonic_time() * 1000ULL;
        g_autofree gchar *msg = NULL;
        int r = pincheck_new(&d->pincheck);

        if (r < 0)
                return log_error_errno(r, "cannot prepare the PIN check: %s", g_strerror(-r));
        if (pinguard_load(d->conf->recorder.state_dir, now, &d->guard, &msg) < 0)
                log_error("%s", msg);
        else if (d->guard.locked)
                log_warning(
                        "the panel is locked after too many wrong PINs (since before this start): police "
                        "IT clears it with studioctl unlock");
        return 0;
}

static void refused(rec_daemon *d, const pin_job *j) {
        uint64_t now = (uint64_t) g_get_monotonic_time() * 1000ULL;
        g_autofree gchar *detail = NULL;
        g_autofree gchar *msg = NULL;

        /* kept in the guard (and its file) until a session's log holds them */
        pinguard_refused(&d->guard, now, g_get_real_time(), j->officer);
        daemon_guard_save(d);
        /* never the digits typed: which officer number was tried, and how often */
        detail = g_strdup_printf("a PIN was refused for officer number %s (%u refusal(s) in a row%s)",
                                 j->officer, d->guard.failures,
                                 d->guard.locked ? "; the panel is now locked" : "");
        log_warning("%s", detail);
        msg = g_strdup(d->guard.locked ? "officer number or PIN not accepted; the panel is locked until "
                                         "police IT runs studioctl unlock"
                                       : "officer number or PIN not accepted");
        if (d->lights)
                lights_ack(d->lights);
        control_answers_on_refused(d->answers, msg);
        d->start_after_identify = FALSE;
        daemon_back_to_free(d);
}

static void on_checked(GObject *source, GAsyncResult *res, gpointer data) {
        rec_daemon *d = data;
        pin_job *j = g_task_get_task_data(G_TASK(res));
        g_autofree gchar *msg = NULL;

        (void) source;
        d->pin_checking = false;
        if (d->quitting) {
                /* shutdown waited for the worker, which reads the officers */
                control_answers_on_refused(d->answers, "the recorder is shutting down");
                g_main_loop_quit(d->loop);
                return;
        }
        (void) daemon_input_handle(d, &(daemon_input){.kind = INPUT_PIN_CHECKED, .pin_job = j}, &msg);
}

void daemon_pin_checked(rec_daemon *d, const pin_job *j) {
        g_autofree gchar *msg = NULL;

        if (j->result < 0) {
                refused(d, j);
                return;
        }
        pinguard_succeeded(&d->guard);
        daemon_guard_save(d);
        log_info("officer identified");
        /* the answer follows when the room is ready (after the pre-flight) */
        if (daemon_identified(d, j->officer, &msg) < 0) {
                d->start_after_identify = FALSE;
                control_answers_on_refused(d->answers, msg);
        }
}

int daemon_check_pin(rec_daemon *d, const char *officer, const char *pin, gchar **ret_message) {
        uint64_t now = (uint64_t) g_get_monotonic_time() * 1000ULL, wait_ns = 0;
        g_autoptr(GTask) task = NULL;
        pin_job *j;
        int r;

        if (d->pin_checking) {
                *ret_message = g_strdup("a PIN is being checked; try again in a moment");
                return -EBUSY;
        }
        if (d->recovering) {
                *ret_message = g_strdup("the spool is being recovered (studioctl recover); try again when "
                                        "it is done");
                return -EBUSY;
        }
        r = pinguard_may_try(&d->guard, now, &wait_ns);
        if (r == -ENOLCK) {
                *ret_message = g_strdup("the panel is locked after too many wrong PINs: police IT clears it "
                                        "with studioctl unlock");
                return r;
        }
        if (r < 0) {
                *ret_message =
                        g_strdup_printf("too many wrong PINs: wait %" G_GUINT64_FORMAT " s and try again",
                                        (guint64) ((wait_ns + 999999999ULL) / 1000000000ULL));
                return r;
        }
        if ((r = daemon_health_may_record(d, ret_message)) < 0)
                return r;
        if (!officers_number_valid(officer) || strlen(pin) > OFFICERS_PIN_MAX) {
                *ret_message = g_strdup("an officer number is 1 to 12 digits and a PIN at most 64");
                return -EINVAL;
        }
        j = g_new0(pin_job, 1);
        j->d = d;
        g_strlcpy(j->officer, officer, sizeof(j->officer));
        j->pin = sodium_malloc(OFFICERS_PIN_MAX + 1);
        if (!j->pin) {
                g_free(j);
                *ret_message = g_strdup("out of locked memory for the PIN");
                return -ENOMEM;
        }
        g_strlcpy(j->pin, pin, OFFICERS_PIN_MAX + 1);
        (void) daemon_enter(d, ROOM_IDENTIFYING);
        d->pin_checking = true;
        task = g_task_new(NULL, NULL, on_checked, d);
        g_task_set_task_data(task, j, pin_job_free);
        g_task_run_in_thread(task, check_in_thread);
        return 0;
}

/* ---- the keypad ------------------------------------------------------ */

static void panel_refusal(rec_daemon *d, const char *what, const char *msg) {
        log_info("panel %s refused: %s", what, msg);
        if (d->lights)
                lights_ack(d->lights);
}

/* The keypad's actions as the room's inputs (daemon-input.c). */
static const daemon_input_kind panel_inputs[_PANEL_ACTION_MAX] = {
        [PANEL_ENTRY_STARTED] = INPUT_ENTRY_STARTED,
        [PANEL_ENTRY_CLEARED] = INPUT_ENTRY_CLEARED,
        [PANEL_IDENTIFY] = INPUT_IDENTIFY,
        [PANEL_START] = INPUT_START,
        [PANEL_MARK] = INPUT_MARK,
        [PANEL_BREAK] = INPUT_BREAK_TOGGLE,
        [PANEL_STOP] = INPUT_STOP,
};

void daemon_on_panel_event(const panel_event *ev, void *userdata) {
        rec_daemon *d = userdata;
        g_autofree gchar *msg = NULL;
        int r;

        if (ev->action == PANEL_STOP_SHORT) {
                /* a slip never ends an interview: only a light cue */
                if (d->lights)
                        lights_ack(d->lights);
                return;
        }
        if ((int) ev->action < 0 || ev->action >= _PANEL_ACTION_MAX || !panel_inputs[ev->action])
                return;
        r = daemon_input_handle(d,
                                &(daemon_input){.kind = panel_inputs[ev->action],
                                                .source = "panel",
                                                .officer = ev->officer,
                                                .pin = ev->pin,
                                                .reason = "stopped"},
                                &msg);
        if (r < 0)
                panel_refusal(d, panel_action_to_string(ev->action), msg ? msg : g_strerror(-r));
        else if (ev->action == PANEL_MARK && d->lights)
                lights_ack(d->lights);
}

void daemon_on_panel_presence(bool connected, const char *message, void *userdata) {
        rec_daemon *d = userdata;

        if (connected) {
                log_info("panel connected");
                daemon_attention_remove(d, REASON_PANEL_DISCONNECTED);
                return;
        }
        log_warning("%s", message ? message : "panel disconnected");
        daemon_attention_add(d, REASON_PANEL_DISCONNECTED);
        if (d->ctl && (d->state == ROOM_RECORDING || d->state == ROOM_BREAK))
                daemon_note(d, "panel-disconnected", message ? message : "the panel was disconnected");
}
