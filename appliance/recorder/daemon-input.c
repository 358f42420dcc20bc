/* Every input the room reacts to (the keypad, studioctl, the ready
 * time-out, a finished PIN check, health's disk reserve, SIGTERM) is a
 * daemon_input, dispatched by one switch over the room's state: what a
 * state accepts is in its handler, what it refuses is said in words by
 * refuse(). The session steps (daemon.c) check nothing of the state;
 * daemon_enter stays the one place the state changes. */
#include <errno.h>

#include "daemon-internal.h"
#include "log.h"

static bool recording_or_break(room_state s) {
        return s == ROOM_RECORDING || s == ROOM_BREAK;
}

/* The refusal in words the detective acts on (docs/studioctl.md); inputs
 * that only nudge the room (a key typed, Clear, a time-out) are ignored. */
static int refuse(const rec_daemon *d, const daemon_input *in, gchar **ret_message) {
        const char *room = room_state_to_string(d->state);

        switch (in->kind) {
        case INPUT_START:
                if (recording_or_break(d->state) || d->state == ROOM_STOPPING) {
                        *ret_message = g_strdup("a session is already recording: Start is not needed");
                        return -EALREADY;
                }
                *ret_message = g_strdup_printf(
                        "no officer is identified: type the officer number and PIN first (the room is %s)",
                        room);
                return -EPERM;
        case INPUT_MARK:
        case INPUT_BREAK:
        case INPUT_RESUME:
        case INPUT_BREAK_TOGGLE:
                if (d->state == ROOM_STOPPING)
                        *ret_message = g_strdup(
                                "the session is stopping (being sealed): nothing more can be added");
                else if (in->kind == INPUT_BREAK && d->state == ROOM_BREAK) {
                        *ret_message = g_strdup("already on a break");
                        return -EALREADY;
                } else if (in->kind == INPUT_RESUME && d->state == ROOM_RECORDING)
                        *ret_message = g_strdup("not on a break");
                else if (d->state == ROOM_READY)
                        *ret_message = g_strdup(
                                "no session is recording: press Start first (the officer is identified)");
                else
                        *ret_message = g_strdup("no session is recording: press Start first");
                return -ENOTCONN;
        case INPUT_STOP:
                *ret_message =
                        g_strdup_printf("no session is recording: nothing to stop (the room is %s)", room);
                return -ENOTCONN;
        case INPUT_CANCEL:
                if (recording_or_break(d->state) || d->state == ROOM_STOPPING)
                        *ret_message = g_strdup("a session is recording: cancel does not stop it (studioctl "
                                                "stop, or hold the Stop key)");
                else if (d->state == ROOM_IDENTIFYING)
                        *ret_message = g_strdup("the PIN is being checked: try again in a moment");
                else
                        *ret_message = g_strdup_printf(
                                "nothing to cancel: no officer is identified (the room is %s)", room);
                return -EALREADY;
        case INPUT_IDENTIFY:
                *ret_message = g_strdup_printf("an officer cannot be identified now (the room is %s)", room);
                return -EBUSY;
        case INPUT_PIN_CHECKED:
                /* the room left identifying while the worker ran */
                control_answers_on_refused(d->answers, "the identification was cancelled");
                return 0;
        default:
                return 0;
        }
}

/* Free, or attention: an officer may begin to identify. */
static int on_free(rec_daemon *d, const daemon_input *in, gchar **ret_message) {
        switch (in->kind) {
        case INPUT_ENTRY_STARTED:
                return daemon_enter(d, ROOM_IDENTIFYING);
        case INPUT_IDENTIFY:
                return daemon_check_pin(d, in->officer, in->pin, ret_message);
        default:
                return refuse(d, in, ret_message);
        }
}

/* A PIN typed, being checked, or the pre-flight looking. */
static int on_identifying(rec_daemon *d, const daemon_input *in, gchar **ret_message) {
        switch (in->kind) {
        case INPUT_IDENTIFY:
                return daemon_check_pin(d, in->officer, in->pin, ret_message);
        case INPUT_PIN_CHECKED:
                daemon_pin_checked(d, in->pin_job);
                return 0;
        case INPUT_ENTRY_CLEARED:
        case INPUT_CANCEL:
                if (d->pin_checking)
                        return refuse(d, in, ret_message);
                if (in->kind == INPUT_CANCEL)
                        log_info("the identification was cancelled (studioctl cancel)");
                daemon_back_to_free(d);
                return 0;
        default:
                return refuse(d, in, ret_message);
        }
}

/* An officer identified, the capture pre-rolled: Start records at once. */
static int on_ready(rec_daemon *d, const daemon_input *in, gchar **ret_message) {
        switch (in->kind) {
        case INPUT_START:
                return d->ctl ? daemon_start(d, in->source, ret_message) : refuse(d, in, ret_message);
        case INPUT_CANCEL:
                log_info("the identification was cancelled (studioctl cancel)");
                daemon_back_to_free(d);
                return 0;
        case INPUT_ENTRY_CLEARED: /* Clear also cancels a ready room */
                daemon_back_to_free(d);
                return 0;
        case INPUT_READY_TIMEOUT:
                log_info("no Start within the ready time: the room is free again");
                daemon_back_to_free(d);
                return 0;
        default:
                return refuse(d, in, ret_message);
        }
}

/* Recording, or on a break. */
static int on_session(rec_daemon *d, const daemon_input *in, gchar **ret_message) {
        bool on_break = d->state == ROOM_BREAK;

        switch (in->kind) {
        case INPUT_MARK:
                return daemon_mark(d, in->source, in->note, ret_message);
        case INPUT_BREAK:
                return on_break ? refuse(d, in, ret_message) : daemon_break(d, in->source, ret_message);
        case INPUT_RESUME:
                return on_break ? daemon_resume(d, in->source, ret_message) : refuse(d, in, ret_message);
        case INPUT_BREAK_TOGGLE: /* the keypad's one Break key */
                return on_break ? daemon_resume(d, in->source, ret_message)
                                : daemon_break(d, in->source, ret_message);
        case INPUT_STOP:
                daemon_stop(d, in->reason);
                return 0;
        default:
                return refuse(d, in, ret_message);
        }
}

int daemon_input_handle(rec_daemon *d, const daemon_input *in, gchar **ret_message) {
        switch (d->state) {
        case ROOM_FREE:
        case ROOM_ATTENTION:
                return on_free(d, in, ret_message);
        case ROOM_IDENTIFYING:
                return on_identifying(d, in, ret_message);
        case ROOM_READY:
                return on_ready(d, in, ret_message);
        case ROOM_RECORDING:
        case ROOM_BREAK:
                /* the controller goes before the room leaves the session */
                return d->ctl ? on_session(d, in, ret_message) : refuse(d, in, ret_message);
        case ROOM_STOPPING:
                return in->kind == INPUT_STOP ? 0 : refuse(d, in, ret_message); /* Stop twice is fine */
        case ROOM_UNPROVISIONED:
        default:
                return refuse(d, in, ret_message);
        }
}
