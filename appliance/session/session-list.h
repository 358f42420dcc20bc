/* What `studioctl sessions` lists (session-list.c): the spool's sessions
 * and those already transferred to the vault, from their receipts. */
#pragma once

#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdint.h>

#define REC_SESSION_DATE_MAX 24

/* true when name is what the recorder names a session
 * ("20261201T103200Z-1a2b3c4d"), with its start as
 * "2026-12-01T10:32:00Z" in ret_date; false for anything else (the
 * uploader's receipts/ folder among them). */
bool rec_session_name_date(const char *name, char ret_date[static REC_SESSION_DATE_MAX]);

/* One object per session, by id: {"id","started","state":"recording" |
 * "sealed" | "interrupted" | "transferred", "media_ns" (when known),
 * "segments","bytes","closed" (on the device), "transferred" (the latest
 * receipt's time)}. recording: the open session's folder, or NULL. */
int rec_session_list(const char *spool, const char *state_dir, const char *recording, JsonArray **ret,
                     gchar **ret_message);

/* Notes a session's length in STATE_DIR when it ends, so that the list
 * still shows it once the vault holds the manifest. */
int rec_session_length_note(const char *state_dir, const char *session_dir, uint64_t media_ns,
                            unsigned segments);
