/* What the text, JSON and HTML reports share beyond verify.h: the facts
 * a forensic report carries (who checked what, when, with which command
 * and trust basis), times in words, and where each event falls in media
 * time. Computed from verify_ctx alone, once per report. */
#pragma once

#include <json-glib/json-glib.h>

#include "verify.h"

/* The findings as the JSON report lists them ("findings": [{verdict, file,
 * entry, text, stored, computed}]), for every document that carries them
 * (the intake's verification record too). */
void report_json_findings(JsonBuilder *b, const verify_ctx *c);

/* "2026-12-01 11:32:05 CET (10:32:05 UTC)": the examiner's local time
 * beside UTC; without the date when with_date is false. NULL when rfc3339
 * is not a time. */
char *report_local_time(const char *rfc3339, bool with_date);
char *report_local_datetime(GDateTime *utc, bool with_date);
/* An RFC 3339 time from a session, or NULL. */
GDateTime *report_parse_utc(const char *rfc3339);
/* Media time with milliseconds: "00:41:17.250". */
char *report_media_time(int64_t ns);
/* A custody event in words ("session start", "mark"). */
const char *report_event_words(const char *event);
/* A timeline row's event in words with, for a mark, break or resume, who
 * placed it as its signed entry says: "mark (panel key)", "mark
 * (studioctl)", "break (source not recorded)" (caller frees; the source
 * came from the session: escape it where it is shown). */
char *report_event_what(const verify_event_row *r);
/* A stop reason in words ("stopped by the operator"); unknown reasons as given. */
const char *report_stop_words(const char *reason);
/* "interviewee (Interviewee microphone), interpreter (Interpreter
 * microphone, channel 3, nld)": the session's audio tracks in order; NULL
 * for a session before studio-session/3, which does not name them. */
char *report_tracks_line(const custody_manifest *m);

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
        char *started, *ended;                    /* report_times() of the start and the end */
        /* the end: a TRUNCATED session ended at its last signed entry (its
         * last checkpoint), and was closed later (recovery or stop) */
        const char *end_utc, *end_basis;      /* the time shown as the end, and what signed it */
        const char *closed_utc, *closed_what; /* truncated: when and how it was closed; else NULL */
        char *closed;                         /* report_times() of closed_utc */
        /* time zones: the device's, as its session-start entry names it, and the examiner's */
        const char *device_zone; /* the name the session gives, NULL when it gives none */
        GTimeZone *device_tz;    /* NULL when none, or unknown to this machine */
        GTimeZone *examiner_tz;
        char *examiner_zone;   /* its name ("Europe/Berlin") */
        char *zone_line;       /* both, in words */
        int64_t media_ns;      /* all segments' media duration */
        size_t decrypted;      /* segments decrypted with --identity */
        bool content_checked;  /* --identity, and every segment decrypted */
        const char *next_step; /* what to do next, or NULL */
        char *affected;        /* the media a TAMPERED verdict concerns, in words */
        GArray *stretches;     /* report_stretch: the tampered segments */
        /* lookups, so that a session of many segments costs linear time */
        GHashTable *tampered; /* segment names a TAMPERED finding is about */
        GHashTable *by_name;  /* segment and plaintext name -> custody_manifest_segment* */
        GArray *walls;        /* int64_t pairs: each segment's wall-clock span in µs (0 0: none) */
} report_facts;

void report_facts_init(report_facts *f, const verify_ctx *c);
void report_facts_done(report_facts *f);

/* report-times.c: the zones, and times in them */
void report_zones_init(report_facts *f, const verify_ctx *c);
void report_zones_done(report_facts *f);
/* end_utc, end_basis, closed_utc and closed_what (c->m is set). */
void report_end_init(report_facts *f, const verify_ctx *c);
/* A moment in full for the court: "2026-12-01 10:32:05 UTC; device 11:32:05
 * CET; examiner 05:32:05 EST" (the examiner's part only where it differs,
 * "device and examiner 11:32:05 CET" where not; "device zone unknown"
 * for a session that does not name it). NULL when rfc3339 is not a time. */
char *report_times(const report_facts *f, const char *rfc3339);
/* An event's time as the picture's burned-in clock shows it: the device's
 * zone beside UTC ("11:32:05 CET (10:32:05 UTC)"), or the examiner's zone
 * when the session does not name the device's. */
char *report_device_time(const report_facts *f, const char *rfc3339, bool with_date);

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
