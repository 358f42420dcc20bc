/* One recording session on disk: its folder, and the custody entries that
 * the pipeline's seal messages turn into (when a device key is given). */
#pragma once

#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

#include "capture.h"

#include "minisign.h"
#include "room-reasons.h"

typedef struct rec_session rec_session;

typedef struct rec_session_info {
        const char *officer;
        const char *room;
        const char *profile;
        const char *profile_sha256;
        char **cameras; /* NULL-terminated source descriptions, from the profile */
        char **microphones;
        /* the audio tracks (rec_session_tracks_from_profile): named in
         * session-start, their roles in every segment-sealed; NULL: none
         * named (the session is copied with a reference) */
        JsonArray *tracks;
        char **recipients; /* NULL-terminated age1… */
        const char *state_dir;
        const minisign_secret *key; /* NULL: segments only, no custody log */
        const char *device_id;
        const char *timesync_file; /* NULL: REC_TIMESYNC_FILE */
} rec_session_info;

/* Each track's role, label, device, channel (0: the whole source),
 * language (when given) and whether it is required, in the profile's order
 * (tracks.c). */
JsonArray *rec_session_tracks_from_profile(const capture_profile *p);
/* ["interviewee", "interpreter", …] from such an array (NULL: []). */
JsonArray *rec_session_track_roles(JsonArray *tracks);

/* systemd-timesyncd's flag: present while the clock is synchronised. */
#define REC_TIMESYNC_FILE "/run/systemd/timesync/synchronized"

/* The spool (and its parents) made when missing, and left 2770: group
 * rwx and setgid, shared with the uploader (see session.c). */
#define REC_SESSION_DIR_MODE 02770
int rec_spool_prepare(const char *spool);
/* Makes OUT/<utc>-<random>/ (info is copied; info->key is borrowed and
 * must outlive the session) and, with a key, its custody log with the
 * session-start entry, after taking the room its close needs
 * (reserve.h). On failure nothing is left behind (-ENOSPC: the disk is
 * full; *ret_message names it and the fix). */
int rec_session_begin(const char *out_dir, const rec_session_info *info, rec_session **ret,
                      gchar **ret_message);
const char *rec_session_dir(const rec_session *s);
const char *rec_session_id(const rec_session *s);

/* Handles an element message from the pipeline; TRUE when it was ours. */
bool rec_session_on_element(rec_session *s, GstMessage *m);
int rec_session_fault(rec_session *s, const char *what, const char *detail);
/* A mark, break or resume (event) at MEDIA_TIME on the session's media
 * timeline (GST_CLOCK_TIME_NONE: the last checkpoint's). source says who
 * made it ("panel", "studioctl", "signal"); note_age (may be NULL) is a
 * note already sealed for the recipients (custody_note_seal). */
int rec_session_mark(rec_session *s, const char *event, const char *source, const char *note_age,
                     GstClockTime media_time);

/* Faults the session notices itself (falling behind real time, a segment
 * lost, the custody log failing): reason in plain words for the room's
 * attention list, detail for the log. */
typedef void (*rec_session_fault_fn)(room_reason reason, const char *detail, void *userdata);
void rec_session_set_fault_hook(rec_session *s, rec_session_fault_fn fn, void *userdata);

/* A full disk: set when an entry or the reserve could not be written, or
 * when the pipeline reports it (note). The recording must then stop; the
 * entries it kept out are written by rec_session_end. */
bool rec_session_disk_full(const rec_session *s);
void rec_session_note_disk_full(rec_session *s);
/* "the disk holding the spool SPOOL is full (N KiB free): free space …" */
gchar *rec_session_disk_full_message(const char *spool);

/* Frees the close reserve, writes what a full disk kept out of the log,
 * the stop entry and, with a key, the manifest, sums and signatures. A
 * segment opened and never sealed is closed as truncated at its last
 * checkpoint (custody_session_close_cut). Returns the number of segments
 * sealed whole; -ENOSPC when even that did not fit (the session is left
 * for recovery at the next start). */
int rec_session_end(rec_session *s, const char *reason, gchar **ret_message);
unsigned rec_session_segments(const rec_session *s);
/* Segment files created, whole or not: 0 means nothing was recorded. */
unsigned rec_session_segments_opened(const rec_session *s);
rec_session *rec_session_free(rec_session *s);
