/* What the recorder answers on its control socket (docs/control-socket.md).
 *
 * The recorder says what happened (a refusal, a state it entered, the first
 * segment open, a session's end); only this module turns that into a reply
 * line. Start, identify and stop wait for the room: they are kept here and
 * answered when the event they wait for comes, exactly once. */
#pragma once

#include <json-glib/json-glib.h>
#include <stdint.h>

#include "control.h"
#include "room-state.h"

typedef struct control_answers control_answers;

control_answers *control_answers_new(void);
/* At shutdown: a waiting start is refused ("the recorder is shutting
 * down"), waiting stops are told the room's state. */
control_answers *control_answers_free(control_answers *a, room_state now);

/* ---- requests that wait for the room ---- */

/* A start (want ROOM_RECORDING: answered when the first segment is open)
 * or an identify (want ROOM_READY). -EBUSY when one already waits (the
 * request is then still the caller's). */
int control_answers_wait_start(control_answers *a, control_request *req, room_state want);
bool control_answers_start_waiting(const control_answers *a);
/* A stop: answered when the session has ended and been sealed. */
void control_answers_wait_stop(control_answers *a, control_request *req);

/* ---- what happened ---- */

/* The room entered now: ready answers an identify; free, attention or
 * unprovisioned before a waiting start was answered means it was
 * cancelled. */
void control_answers_on_state(control_answers *a, room_state now);
/* The first segment file is open: a waiting start is answered. */
void control_answers_on_recording(control_answers *a, room_state now);
/* What was waiting to start will not: why says so in words. */
void control_answers_on_refused(control_answers *a, const char *why);

typedef struct control_session_end {
        const char *dir; /* the session's folder; NULL when none was made */
        uint64_t media_ns;
        int segments;
} control_session_end;
/* A session ended (sealed); now is the room's state after it. */
void control_answers_on_ended(control_answers *a, const control_session_end *e, room_state now);

/* ---- replies given at once ---- */

/* A request's string member; NULL when missing or not a string. */
const char *control_args_string(JsonObject *args, const char *name);
void control_reply_refused(control_request *req, const char *why);
/* {"ok":true,"state":…} and, when given, a "message" for studioctl. */
void control_reply_state(control_request *req, room_state now, const char *message);
/* "cancelled: the room is free" (or needs attention). */
void control_reply_cancelled(control_request *req, room_state now);
/* "mark at H:MM:SS media time". */
void control_reply_marked(control_request *req, room_state now, uint64_t at_ns);
/* The open session, for status: its marks so far and its length on the
 * media timeline (< 0: not known yet). */
typedef struct control_session_now {
        const uint64_t *marks;
        unsigned n_marks;
        int64_t media_ns;
} control_session_now;
/* The published state document and, when a session records (s not NULL),
 * its marks and media time. */
void control_reply_status(control_request *req, const room_state_doc *doc, const control_session_now *s);
/* Takes list. */
void control_reply_sessions(control_request *req, JsonArray *list);
/* n sessions closed; note is recovery's report (NULL: nothing to say). */
void control_reply_recovered(control_request *req, int n, const char *note);
