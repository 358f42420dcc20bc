/* One recording session, driven by any GMainLoop: `studio-recorder --once`
 * and the daemon are both thin drivers of this.
 *
 * The controller builds the pipeline (pre-rolled: sources, overlay and
 * encoders running, nothing written), begins the session (folder, custody
 * start entry) and opens the recording, routes the pipeline's bus and seal
 * messages into the custody log, writes marks, breaks and faults, stops
 * with a bounded wait for end of stream, drains the last seal messages and
 * ends the session (manifest, sums, signatures).
 *
 * It prints nothing: functions return 0 or -errno with *ret_message, and
 * what happens later is told through the callbacks, from the loop. */
#pragma once

#include <gst/gst.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture.h"
#include "minisign.h"

typedef struct rec_controller rec_controller;

/* What a session needs, copied by rec_controller_new (the caller's strings
 * may go); key and profile are borrowed and must outlive the controller. */
typedef struct rec_settings {
        const capture_profile *profile;
        const char *spool;
        const char *state_dir;      /* the device's chain head */
        const char *room;           /* NULL: the profile's */
        char *const *recipients;    /* age1…, NULL-terminated */
        const minisign_secret *key; /* NULL: unsigned segments, no custody log */
        const char *device_id;
        const char *timesync_file; /* timesyncd's flag file; NULL: the default */
        uint64_t segment_time_ns;
        uint64_t segment_bytes;
        uint64_t checkpoint_interval_ns;
        uint64_t eos_timeout_ns;
        bool measure;                  /* health measurements (capture_options.measure) */
        const char *observation_video; /* capture_options */
        const char *observation_audio;
} rec_settings;

/* How a session ended, for rec_controller_callbacks.ended. */
typedef struct rec_outcome {
        int result;              /* 0 clean; -EIO fault; -ENOSPC disk full; -ETIMEDOUT no EOS */
        const char *message;     /* why, when result < 0 (and when the close failed) */
        const char *session_dir; /* NULL: nothing was kept (an unsigned session that never began) */
        bool started;            /* a segment file was made */
        bool closed;             /* the custody record is closed (manifest, sums, signatures) */
        bool disk_full;
        int sealed;        /* segments sealed whole */
        uint64_t media_ns; /* the session's length on its media timeline; 0 before it opened */
} rec_outcome;

typedef struct rec_controller_callbacks {
        /* The first segment is open: the room is recorded from here. */
        void (*recording)(void *userdata);
        /* A fault the session survives, in plain words for the room's
         * attention list (reason; _ROOM_REASON_INVALID: logged only) and in
         * full for the log (detail). */
        void (*fault)(room_reason reason, const char *detail, void *userdata);
        /* The session (or the pre-roll) has ended; the controller may be
         * freed from here on. */
        void (*ended)(const rec_outcome *outcome, void *userdata);
        /* A health measurement from the pipeline (pre-rolled or recording);
         * may be NULL. */
        void (*measure)(const capture_measure *m, void *userdata);
} rec_controller_callbacks;

int rec_controller_new(const rec_settings *s, const rec_controller_callbacks *cb, void *userdata,
                       rec_controller **ret, gchar **ret_message);
/* Stops the pipeline without ending a session (a session in progress is
 * ended first, as rec_controller_stop does, synchronously). */
rec_controller *rec_controller_free(rec_controller *c);

/* Builds the pipeline and sets it playing, writing nothing. */
int rec_controller_preroll(rec_controller *c, gchar **ret_message);
/* Begins the session for officer and opens the recording (pre-rolls first
 * when that was not done). The recording callback follows when the first
 * segment is open. */
int rec_controller_start(rec_controller *c, const char *officer, gchar **ret_message);
/* A mark now; note (may be NULL) is sealed for the recipients and only its
 * ciphertext is logged. source says who made it ("panel", "studioctl",
 * "signal"). */
int rec_controller_mark(rec_controller *c, const char *source, const char *note, gchar **ret_message);
/* The signed break and resume entries. Whether the room is on a break is
 * its driver's state (the daemon's, or --once's), which refuses a second
 * break: the controller does not guard it a second time. */
int rec_controller_break(rec_controller *c, const char *source, gchar **ret_message);
int rec_controller_resume(rec_controller *c, const char *source, gchar **ret_message);
/* A signed fault entry (what: a word such as "pin-refused"; detail: a
 * sentence); 0 without a session log. */
int rec_controller_note(rec_controller *c, const char *what, const char *detail);
/* Ends the recording with end of stream (bounded by eos_timeout); ended
 * follows. Idempotent. */
void rec_controller_stop(rec_controller *c, const char *reason);
/* The session or pre-roll has ended and its outcome is on its way. */
bool rec_controller_ending(const rec_controller *c);
bool rec_controller_started(const rec_controller *c);
/* Where the recording is on its media timeline (GST_CLOCK_TIME_NONE
 * before it opened). */
GstClockTime rec_controller_media_time(const rec_controller *c);
/* How much video the recording holds (capture_pipeline_recorded_time). */
GstClockTime rec_controller_recorded_time(const rec_controller *c);
/* The session's marks so far, as media times (ns), in order; NULL when
 * there are none (*ret_n is 0). Valid until the next mark or the free. */
const guint64 *rec_controller_marks(const rec_controller *c, guint *ret_n);
/* The session folder (NULL before start). */
const char *rec_controller_session_dir(const rec_controller *c);
