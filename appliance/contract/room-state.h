/* The room's state as the recorder publishes it, for the status page and
 * studioctl: what shelter staff may know and nothing else.
 *
 * The state file is one JSON object, written atomically (a temporary file,
 * then rename) and rewritten at least every ROOM_STATE_REFRESH_S seconds so
 * that a reader can tell a dead recorder from a free room:
 *   {"state":"recording","since":"2026-12-01T10:32:00Z",
 *    "attention":["camera disconnected"],"hours_left":41.5,
 *    "updated":"2026-12-01T10:40:05Z","session_since":"2026-12-01T10:32:00Z"}
 * session_since is there only while a session is open (recording, break,
 * stopping): the session's start, which a break does not move, while
 * "since" is when the current state began. A reader that does not know it
 * ignores it (every reader ignores members it does not know).
 * hours_left is the recording time the spool still holds at the profile's
 * bitrate (null: not known yet).
 * It never holds an officer, a case or a session identifier: the writer
 * takes only the fields below, and the reasons are plain words chosen by
 * the recorder (never outside input). */
#pragma once

#include <errno.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdint.h>
#include <sys/types.h>

#include "utc-time.h"

typedef enum room_state {
        ROOM_FREE,
        ROOM_IDENTIFYING,
        ROOM_READY,
        ROOM_RECORDING,
        ROOM_BREAK,
        ROOM_STOPPING,
        ROOM_ATTENTION,
        ROOM_UNPROVISIONED,
        _ROOM_STATE_MAX,
        _ROOM_STATE_INVALID = -EINVAL,
} room_state;

#define ROOM_STATE_REFRESH_S 5
#define ROOM_ATTENTION_MAX 16 /* reasons kept; more are dropped */
#define ROOM_STATE_FILE_MAX 16384

const char *room_state_to_string(room_state s);
room_state room_state_from_string(const char *s);

typedef struct room_state_doc {
        room_state state;
        int64_t since_us;         /* g_get_real_time() when the state was entered */
        int64_t session_since_us; /* when the session began (kept across breaks); 0: no session */
        int64_t updated_us;       /* when the document was written */
        char **attention;         /* NULL-terminated plain-word reasons; NULL: none */
        double hours_left;        /* >= 0, one decimal is kept; < 0: unknown (null) */
} room_state_doc;

#define ROOM_HOURS_LEFT_MAX 1e6

/* The JSON text of doc (one line, no newline, escaped for pages and
 * terminals); caller frees. */
gchar *room_state_doc_to_json(const room_state_doc *doc);
/* Adds doc as an object value to b, for a document that holds it (the
 * status reply); write b with json_write_text, which keeps hours_left's
 * one decimal. */
void room_state_doc_build(JsonBuilder *b, const room_state_doc *doc);
/* Writes doc to path atomically, mode 0644 (the status daemon, another
 * user, reads it). */
int room_state_publish(const char *path, const room_state_doc *doc);
/* Reads a state file (bounded, strict: unknown state or malformed times
 * are -EBADMSG); ret->attention is g_strfreev'd by room_state_doc_clear. */
int room_state_read(const char *path, room_state_doc *ret, gchar **ret_message);
/* The same, read only when the opened file's owner (fstat) is owner
 * ((uid_t) -1: any): -EPERM otherwise, with a message naming both ids. */
int room_state_read_owned(const char *path, uid_t owner, room_state_doc *ret, gchar **ret_message);
int room_state_parse(const char *text, size_t len, room_state_doc *ret, gchar **ret_message);
void room_state_doc_clear(room_state_doc *doc);
/* The file's times are utc-time.h's form; this name is the recorder
 * daemon's (appliance/recorder/daemon.c), which new code need not use. */
static inline gchar *room_state_format_time(int64_t real_us) {
        return utc_time_format(real_us);
}
