/* What the text, JSON and HTML reports share beyond verify.h: the facts
 * a forensic report carries (who checked what, when, with which command
 * and trust basis), times in words, and where each event falls in media
 * time. Computed from verify_ctx alone, once per report. */
#pragma once

#include "verify.h"

/* "2026-12-01 11:32:05 CET (10:32:05 UTC)": local time, as the picture's
 * burned-in overlay shows it, beside UTC; without the date when with_date
 * is false. NULL when rfc3339 is not a time. */
char *report_local_time(const char *rfc3339, bool with_date);
char *report_local_datetime(GDateTime *utc, bool with_date);
/* Media time with milliseconds: "00:41:17.250". */
char *report_media_time(int64_t ns);
/* A custody event in words ("session start", "mark (panel key)"). */
const char *report_event_words(const char *event);
/* A stop reason in words ("stopped by the operator"); unknown reasons as given. */
const char *report_stop_words(const char *reason);

typedef struct report_stretch {
        const char *segment;
        int64_t start_ns, end_ns;
} report_stretch;

typedef struct report_facts {
        char *checked_utc, *checked_local; /* when the check ran */
        char *folder;                      /* the folder checked (absolute), NULL when not shown */
        char *command;                     /* the command line, shell-quoted; NULL without argv */
        char *public_key;                  /* the key checked against, minisign base64 */
        char key_id[2 * MINISIGN_KEY_ID_LEN + 1];
        char registry_sha256[SHA256_HEX_LEN + 1]; /* "" without --registry */
        char *started, *ended;                    /* local (UTC) */
        int64_t media_ns;                         /* all segments' media duration */
        size_t decrypted;                         /* segments decrypted with --identity */
        bool content_checked;                     /* --identity, and every segment decrypted */
        const char *next_step;                    /* what to do next, or NULL */
        char *affected;                           /* the media a TAMPERED verdict concerns, in words */
        GArray *stretches;                        /* report_stretch: the tampered segments */
        /* lookups, so that a session of many segments costs linear time */
        GHashTable *tampered; /* segment names a TAMPERED finding is about */
        GHashTable *by_name;  /* segment and plaintext name -> custody_manifest_segment* */
        GArray *walls;        /* int64_t pairs: each segment's wall-clock span in µs (0 0: none) */
} report_facts;

void report_facts_init(report_facts *f, const verify_ctx *c);
void report_facts_done(report_facts *f);

/* A segment that fails under the device's key: its sealed file, or (with
 * --identity) its decrypted content. */
bool report_segment_tampered(const report_facts *f, const verify_segment *s);
/* Where an event of the timeline falls in media time: marks, breaks and
 * resumes as signed; faults and recoveries placed by their UTC time in
 * the segments' wall-clock spans. */
bool report_event_media_ns(const report_facts *f, const verify_ctx *c, const verify_event_row *r,
                           int64_t *ret);
/* What became of working copy i (--media): *ret_ok when it was checked
 * and matches; the words say which segment, or why not (caller frees). */
char *report_media_copy(const verify_ctx *c, size_t i, bool *ret_ok);
/* The session's continuity as an inline SVG (no external resources):
 * segments as bars along media time, intact, unverifiable and tampered
 * stretches, marks, breaks and faults (caller frees). */
char *report_timeline_svg(const verify_ctx *c, const report_facts *f);
