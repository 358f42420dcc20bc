/* The health monitor's analyser: the pipeline's measurements (capture.h)
 * in, faults out. Pure: no I/O, no loop, no clock of its own; the caller
 * passes the time of every event (monotonic ns for the windows, wall-clock
 * µs for the words).
 *
 * Per source a fault is raised when its condition has held for its window
 * (microphone dead, silent; picture black, frozen; no measurements at all
 * for HEALTH_MISSING_NS while the pipeline plays) and cleared once the
 * signal has been good again for HEALTH_CLEAR_NS, so that a flapping
 * source raises once and is not logged on every flap. The callbacks get a
 * REASON_… (room-reasons.h) and a sentence with the times; two faults that
 * share a reason (no audio level at all, and digital silence) raise it once
 * and clear it when the last of them clears.
 *
 * docs/health.md says what each check means for the people in the room. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "backlog.h"
#include "capture.h"

#define HEALTH_CLEAR_NS (2ULL * 1000000000ULL)   /* good this long before a fault clears */
#define HEALTH_MISSING_NS (3ULL * 1000000000ULL) /* no measurement this long is a fault */
#define HEALTH_FROZEN_EPSILON 0.5                /* mean luma change below this is "unchanged" */
#define HEALTH_CAMERAS_MAX 2
#define HEALTH_TRACKS_MAX CAPTURE_MAX_TRACKS
#define HEALTH_OVERHEAD 1.05 /* container and sealing on top of the media bitrate */
#define HEALTH_BACKLOG_OLD_US (24LL * 3600 * 1000000)

typedef struct health_limits {
        double dead_below_db;
        uint64_t dead_after_ns;
        double silent_below_db;
        uint64_t silent_after_ns;
        double black_below;
        uint64_t black_after_ns;
        uint64_t frozen_after_ns;
} health_limits;

typedef struct health_time {
        int64_t mono_ns; /* windows are measured on this */
        int64_t real_us; /* g_get_real_time(): the times in the details */
} health_time;

typedef struct health_callbacks {
        void (*raise)(room_reason reason, const char *detail, void *userdata);
        void (*clear)(room_reason reason, const char *detail, void *userdata);
} health_callbacks;

typedef struct health_monitor health_monitor;

/* cameras: 1 or 2 (the profile's). */
health_monitor *health_new(const health_limits *l, int cameras, const health_callbacks *cb, void *userdata);
/* The audio tracks (capture_profile_tracks), each checked on its own:
 * its faults raise its role's words ("interpreter microphone dead"; the
 * room's track: "microphone dead"), and the pre-flight refuses a Start
 * only for a required track. Without it: one track, the room's, required. */
void health_set_tracks(health_monitor *h, const capture_track *tracks, size_t n);
/* Forgets everything without a callback: the caller takes the raised
 * reasons off the room itself when the pipeline goes. */
health_monitor *health_free(health_monitor *h);

/* The pipeline is PLAYING from t: the missing-measurement windows start. */
void health_playing(health_monitor *h, health_time t);
void health_measure(health_monitor *h, const capture_measure *m, health_time t);
/* Called every second or so: the missing-measurement check. */
void health_tick(health_monitor *h, health_time t);
/* Measurements from src (0 the first audio track, 1 and 2 the cameras,
 * HEALTH_CAMERAS_MAX + 1 … the other audio tracks) since health_playing. */
unsigned health_measured(const health_monitor *h, int src);
/* The pipeline's running time that src's measurements since health_playing
 * span (first to last); 0 with fewer than two. Media time, not wall time:
 * on a busy machine the measurements come late, and the media with them. */
uint64_t health_media_measured(const health_monitor *h, int src);
/* The monotonic ns since which some source has sent no measurement: the
 * oldest of the sources' last measurements (a source with none counts from
 * health_playing, or from 0 before it). */
int64_t health_quiet_since(const health_monitor *h);
/* Whether the pre-flight has enough to judge: every source's measurements
 * span media_ns of the pipeline's running time. */
bool health_preflight_ready(const health_monitor *h, uint64_t media_ns);
/* Whether reason, raised while no session records, means the room cannot
 * record: false for the microphone of a track that is not required (its
 * fault is signed into the next session and listed while it records). */
bool health_blocks_start(const health_monitor *h, room_reason reason);
/* Whether reason is raised now. */
bool health_raised(const health_monitor *h, room_reason reason);

/* The pre-flight's verdict on everything measured since health_playing:
 * 0 when each camera delivered at least two pictures that were neither all
 * black nor all unchanged (the first one's change not counted) and the
 * microphone was not digitally silent; otherwise the
 * number of reasons added to reasons (REASON_…) with a
 * sentence each appended to detail. */
int health_preflight(const health_monitor *h, room_reason *reasons, size_t reasons_max, GString *detail);

/* ---- the checks that need no pipeline (pure, for the unit tests) ---- */

/* Hours of recording that avail bytes hold above reserve at kbps (video
 * plus audio) with HEALTH_OVERHEAD; 0 at or below the reserve; < 0 when
 * kbps is unknown (<= 0). */
double health_hours_left(uint64_t avail, uint64_t reserve, int kbps);
/* Bytes the recording writes per second at kbps, with the overhead. */
double health_bytes_per_second(int kbps);
/* The backlog warns when sessions wait and the oldest ended more than 24 h
 * before now. */
bool health_backlog_old(const backlog_doc *b, int64_t now_us);
/* Whether the uploader's last failure is one a person must act on, as a
 * warning for the room: REASON_VAULT_NOT_LOCKING (the vault took a
 * recording without locking it, so there is no receipt and the local copy
 * stays) when the last error is not-locking, REASON_VAULT_REFUSED for
 * refused credentials. Each is on when its word is the last error. */
bool health_vault_not_locking(const backlog_doc *b);
bool health_vault_refused(const backlog_doc *b);
/* REASON_VAULT_VERIFICATION_FAILED: the intake's record of a vaulted
 * session was refused (wipe_after = verified), so its copy is kept. */
bool health_vault_verification_failed(const backlog_doc *b);
