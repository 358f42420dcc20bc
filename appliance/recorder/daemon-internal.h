/* The recorder daemon's state, shared by its parts: daemon.c (lifecycle,
 * state machine, publication), daemon-panel.c (keypad and PIN checks) and
 * daemon-commands.c (the control socket). One GMainLoop, one thread;
 * only the PIN check runs on a worker, and hands its result back to the
 * loop. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "answers.h"
#include "capture.h"
#include "control.h"
#include "controller.h"
#include "health.h"
#include "lights.h"
#include "minisign.h"
#include "officers.h"
#include "panel.h"
#include "pending-notes.h"
#include "pincheck.h"
#include "pinguard.h"
#include "room-reasons.h"
#include "room-state.h"
#include "studio-conf.h"

typedef struct rec_daemon {
        studio_conf *conf;
        GMainLoop *loop;
        int lock_fd;
        bool quitting;
        int exit_status;

        room_state state;
        int64_t since_us;
        int64_t session_since_us; /* the session's start, kept across breaks; 0: none */
        GPtrArray *attention;     /* published reasons (room_reason_to_string), no duplicates */
        GHashTable *warnings;     /* those of them that do not stop the room recording */
        gchar *unprovisioned_why;
        double hours_left; /* published; < 0 unknown (health sets it) */

        /* provisioning */
        minisign_secret *key;
        gchar *device_id;
        capture_profile *profile;
        officers *officers;
        gchar **recipients;

        /* the session */
        rec_controller *ctl;
        gchar *officer;              /* identified; never published */
        pending_notes pending_notes; /* for the next session's log */
        gchar *recovery_note;
        bool recovering; /* studioctl recover runs on its worker: no identification meanwhile */

        /* identification */
        pinguard guard; /* saved in the state folder at every change */
        pincheck *pincheck;
        bool pin_checking;
        gboolean start_after_identify; /* studioctl start: Start follows the PIN */

        /* inputs and outputs */
        panel *panel;
        lights *lights;
        control_server *control;
        control_answers *answers; /* studioctl's start, identify and stop, waiting for the room */

        /* health (daemon-health.c) */
        health_monitor *health;   /* while a pipeline runs, with [health] enabled */
        bool health_playing;      /* a measurement has come */
        GPtrArray *health_owned;  /* reasons health listed: checked afresh at the next identification */
        room_reason probe_reason; /* _ROOM_REASON_INVALID: none */
        bool backlog_bad_logged;
        int64_t preflight_us;
        guint preflight_timer, tick_timer, check_timer;

        int64_t start_us; /* monotonic time of the last Start, for the log */
        guint publish_timer;
        guint ready_timer;
} rec_daemon;

/* The state machine (daemon.c): validates the transition, runs its entry
 * actions (lights, timers, publication) and logs old → new. -EPERM for a
 * transition the table forbids (logged; nothing changes). */
int daemon_enter(rec_daemon *d, room_state next);
void daemon_publish(rec_daemon *d);
void daemon_state_doc(const rec_daemon *d, room_state_doc *ret);
/* A reason that stops the room recording: outside a session the room is
 * in attention while one stands. In a session it is listed only. */
void daemon_attention_add(rec_daemon *d, room_reason reason);
/* A reason that is listed but lets the room record (disk low, clock, backlog). */
void daemon_warning_add(rec_daemon *d, room_reason reason);
void daemon_attention_remove(rec_daemon *d, room_reason reason);
bool daemon_has_blocking(const rec_daemon *d);
/* A signed entry into the open session's log, or kept for the next one. */
void daemon_note(rec_daemon *d, const char *what, const char *detail);

/* The inputs the room reacts to, dispatched by one switch over its state
 * (daemon-input.c): what a state accepts runs a session step below, what
 * it refuses gets a sentence in *ret_message and -errno. */
typedef enum daemon_input_kind {
        INPUT_NONE,          /* 0: an action that is no input (a table's gap) */
        INPUT_ENTRY_STARTED, /* the first digit typed on the keypad */
        INPUT_ENTRY_CLEARED, /* the keypad's Clear */
        INPUT_IDENTIFY,      /* officer number and PIN (keypad or studioctl) */
        INPUT_PIN_CHECKED,   /* the PIN check's worker is done (pin_job) */
        INPUT_START,
        INPUT_MARK,
        INPUT_BREAK,
        INPUT_RESUME,
        INPUT_BREAK_TOGGLE, /* the keypad's one Break key */
        INPUT_STOP,
        INPUT_CANCEL,        /* studioctl cancel */
        INPUT_READY_TIMEOUT, /* no Start within [recorder] ready_timeout */
        _INPUT_MAX,
        _INPUT_INVALID = -EINVAL,
} daemon_input_kind;

struct pin_job;
typedef struct daemon_input {
        daemon_input_kind kind;
        const char *source;            /* "panel", "studioctl" (custody entries, the log) */
        const char *officer, *pin;     /* INPUT_IDENTIFY */
        const char *note;              /* INPUT_MARK; NULL: none */
        const char *reason;            /* INPUT_STOP: "stopped", "shutdown", "disk-reserve" */
        const struct pin_job *pin_job; /* INPUT_PIN_CHECKED */
} daemon_input;

int daemon_input_handle(rec_daemon *d, const daemon_input *in, gchar **ret_message);

/* Session steps (daemon.c), run by daemon_input_handle in the states that
 * accept them: they check nothing of the room's state themselves. */
/* The PIN was right: the pipeline pre-rolls and the pre-flight (when
 * configured) decides; daemon_identify_done follows once the room is ready. */
int daemon_identified(rec_daemon *d, const char *officer, gchar **ret_message);
/* The room is ready: answers studioctl identify, or starts for start --officer. */
void daemon_identify_done(rec_daemon *d);
int daemon_start(rec_daemon *d, const char *source, gchar **ret_message);
void daemon_stop(rec_daemon *d, const char *reason);
int daemon_mark(rec_daemon *d, const char *source, const char *note, gchar **ret_message);
int daemon_break(rec_daemon *d, const char *source, gchar **ret_message);
int daemon_resume(rec_daemon *d, const char *source, gchar **ret_message);
void daemon_back_to_free(rec_daemon *d);

/* Health (daemon-health.c). */
void daemon_health_check(rec_daemon *d); /* disk, clock, backlog, devices; then on a timer */
void daemon_health_fini(rec_daemon *d);
void daemon_health_pipeline_new(rec_daemon *d);
void daemon_health_pipeline_gone(rec_daemon *d);
void daemon_health_on_measure(const capture_measure *m, void *userdata);
void daemon_health_identifying(rec_daemon *d);
/* Lists the faults of microphones the room could start without (raised
 * while ready, signed as the session began) for the session's length. */
void daemon_health_session_started(rec_daemon *d);
bool daemon_health_preflight_start(rec_daemon *d);
/* -ENOSPC with a message when the spool holds less than start_min_left. */
int daemon_health_may_record(rec_daemon *d, gchar **ret_message);

/* PIN checks off the loop (daemon-panel.c): the result comes back as
 * daemon_identified() or a refusal. -EAGAIN/-ENOLCK from the guard, with
 * a message. */
int daemon_check_pin(rec_daemon *d, const char *officer, const char *pin, gchar **ret_message);
/* The check's result, while the room is still identifying. */
void daemon_pin_checked(rec_daemon *d, const struct pin_job *j);
/* Writes the guard to the state folder (a failure is logged). */
void daemon_guard_save(rec_daemon *d);
/* At start: the guard as the last run left it (a malformed file: locked,
 * logged) and the dummy hash unknown officer numbers are checked against. */
int daemon_guard_load(rec_daemon *d);
void daemon_on_panel_event(const panel_event *ev, void *userdata);
void daemon_on_panel_presence(bool connected, const char *message, void *userdata);

/* The control socket (daemon-commands.c): each command is checked against
 * the room's state; control/answers.c composes every reply, and answers
 * the requests that wait from what the room does. */
void daemon_on_command(control_request *req, const char *command, JsonObject *args, void *userdata);
