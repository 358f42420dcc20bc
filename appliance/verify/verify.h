/* studio-verify internals: the checks add findings to one context, the
 * reports render it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "custody.h"
#include "minisign.h"

/* In order of precedence: a higher value wins. */
typedef enum verify_verdict {
        VERIFY_INTACT,
        VERIFY_TRUNCATED,
        VERIFY_INCOMPLETE,
        VERIFY_UNSIGNED,
        VERIFY_UNTRUSTED_KEY,
        VERIFY_TAMPERED,
        _VERIFY_VERDICT_MAX,
} verify_verdict;

#define VERIFY_EXIT_ERROR 1

const char *verify_verdict_to_string(verify_verdict v);
int verify_verdict_exit_code(verify_verdict v);

typedef struct verify_finding {
        verify_verdict verdict; /* VERIFY_INTACT for a warning or note */
        bool warning;
        char *file, *entry, *text;
        char *stored, *computed; /* hashes side by side, when relevant */
} verify_finding;

typedef struct verify_segment {
        const custody_manifest_segment *g;
        bool present, checked;
        uint64_t size;
        char sealed_sha256[SHA256_HEX_LEN + 1];
        char plaintext_sha256[SHA256_HEX_LEN + 1]; /* with --identity */
        const char *age_verdict;                   /* with --identity */
        const char *status;                        /* "ok", "TAMPERED", … */
} verify_segment;

typedef struct verify_options {
        const char *dir, *device_key, *registry, *registry_key, *identity, *previous, *html, *json_path;
        bool json, chain;
        char **media;
        size_t n_media;
        /* for the report: who checked, for which case, with which command
         * (argv is NULL when another tool runs the checks) */
        const char *examiner, *case_id;
        char **argv;
        int argc;
        /* the session folder, already opened by the caller (studio-intake
         * opens it O_NOFOLLOW below the vault's root); dir names it in
         * messages. NULL: verify_run opens dir. */
        const int *dirfd;
        const char *intake_record, *tsa_ca; /* --intake-record, --tsa-ca */
} verify_options;

/* What the one pass over custody.jsonl keeps: never the log itself, only
 * what the checks and the report need, so memory stays bounded whatever
 * its length. */
typedef struct verify_event_row {
        char *utc, *event, *detail;
        char *source; /* a mark's, break's or resume's signed "source" (panel, studioctl, signal), or NULL */
        uint64_t seq; /* 0 for a row that is no entry */
        char *note;   /* the mark's note as shown: plain (old sessions), or opened with --identity */
        bool note_sealed; /* the entry carries a sealed note (note_age) */
        bool note_opened; /* and --identity opened it (note holds it) */
} verify_event_row;

typedef struct verify_log {
        bool read;                           /* it was read to its end and parsed */
        uint64_t entries;                    /* whole entries */
        char first_prev[SHA256_HEX_LEN + 1]; /* the first entry's "prev" */
        char last_hash[SHA256_HEX_LEN + 1];  /* SHA-256 of its last line */
        char sha256[SHA256_HEX_LEN + 1];     /* of the whole file as read */
        uint64_t bytes;
        char *implied;       /* the manifest.json the log implies, if it closes */
        int implied_error;   /* why not: -EBADMSG, -E2BIG */
        GPtrArray *timeline; /* verify_event_row*, at most VERIFY_TIMELINE_MAX */
        uint64_t timeline_omitted;
        GHashTable *break_before; /* sealed segment -> a break and resume logged since the one before */
        GHashTable *cp_ordinal;   /* checkpoint seq the manifest names -> ordinal in the session */
        char *time_zone;          /* session-start's "time_zone" (the device's zone), if well-formed */
        char last_checkpoint_utc[CUSTODY_UTC_LEN + 1]; /* the last checkpoint's time ("" when none) */
        char last_signed_utc[CUSTODY_UTC_LEN + 1];     /* the last entry's before a recovery entry */
        char recovery_utc[CUSTODY_UTC_LEN + 1];        /* the recovery entry's time ("" when none) */
} verify_log;

#define VERIFY_TIMELINE_MAX 2000 /* rows kept; a sealed note is opened only for these */
#define VERIFY_NOTE_SEALED "(sealed note)"
#define VERIFY_NOTE_UNOPENED "(sealed note: it does not open with --identity)"
#define VERIFY_LOG_FINDINGS_MAX 25 /* findings listed from the log; the rest are counted */
#define VERIFY_UNLISTED_MAX 25     /* unlisted files named one by one */
/* the most names a session folder's listing holds: every segment a manifest
 * may list and room for many strays */
#define VERIFY_FOLDER_MAX (CUSTODY_SEGMENTS_MAX + 10000)

typedef struct verify_ctx {
        const verify_options *opt;
        int dirfd;             /* the session folder: every file of it is opened relative to it */
        minisign_public key;   /* the key the session claims; every check runs under it */
        bool have_key;         /* a key to check under is known */
        bool key_from_session; /* the session named it (not only an examiner's key) */
        bool trusted;          /* and the examiner trusts it */
        char *key_source;      /* the trust line: which key, and why (not) trusted */
        bool registry_authenticated;
        char registry_sha256[SHA256_HEX_LEN + 1];
        char *start_public_key; /* session-start's device_public_key (studio-session/2) */
        char *start_utc;        /* session-start's time */
        custody_manifest *m;
        char manifest_sha256[SHA256_HEX_LEN + 1]; /* of manifest.json as read ("" when unreadable) */
        char *manifest_text;                      /* manifest.json as read, when it parsed */
        verify_log log;
        verify_segment *segs;
        size_t n_segs;
        GPtrArray *findings; /* verify_finding* */
        verify_verdict verdict;
        char *truncated_summary; /* the TRUNCATED sentence */
        uint8_t (*sks)[32];      /* --identity keys (sodium_malloc) */
        size_t n_sks;
        char **recipients; /* the age recipients the signed session-start names */
        char *error;       /* a usage error: the input and the fix */
} verify_ctx;

void verify_ctx_init(verify_ctx *c, const verify_options *opt);
void verify_ctx_done(verify_ctx *c);
void verify_add(verify_ctx *c, verify_verdict v, const char *file, const char *entry, const char *fmt, ...)
        G_GNUC_PRINTF(5, 6);
void verify_add_hash(verify_ctx *c, verify_verdict v, const char *file, const char *entry,
                     const char *stored, const char *computed, const char *fmt, ...) G_GNUC_PRINTF(7, 8);
void verify_warn(verify_ctx *c, const char *file, const char *entry, const char *fmt, ...)
        G_GNUC_PRINTF(4, 5);
/* Records a usage error (exit 1) naming the input and the fix; returns -EINVAL. */
int verify_fail(verify_ctx *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* A file of the session folder is usable only if it is a regular file
 * (never through a symlink). */
bool verify_session_file(const verify_ctx *c, const char *name);
/* Opens a file of the session folder (fs_openat_regular): fd or -errno. */
int verify_open(const verify_ctx *c, const char *name, struct stat *ret_st);
/* Why a session file cannot be used, in words ("is a symbolic link; it is
 * not followed"), from an fs_openat_regular error. */
const char *verify_unusable_why(int error);
/* The detail of one custody entry for the timeline (caller frees), or NULL.
 * note is what to show for a mark's note (the plain note, the opened
 * sealed note, or words for one that is not opened), NULL for none. */
char *verify_entry_detail(const custody_entry *e, const char *note);
/* The note of a mark, break or resume to show (caller frees), or NULL:
 * its plain "note" (old sessions), or its sealed "note_age" opened with
 * identities sks[0..n_sks) (*ret_opened), else words that say it is
 * sealed; *ret_error (caller frees) when a sealed note does not open. */
char *verify_entry_note(const custody_entry *e, const uint8_t (*sks)[32], size_t n_sks, bool *ret_sealed,
                        bool *ret_opened, char **ret_error);
/* Who placed a mark, break or resume, from its signed entry: "panel",
 * "studioctl", "signal" (studio-recorder --once; old sessions say so in a
 * "SIGUSR1"/"SIGUSR2" note), another word as written, or NULL when the
 * entry does not say (caller frees). */
char *verify_entry_source(const custody_entry *e);
/* A "time_zone" a session may name: a tz database name ("Europe/Amsterdam",
 * "UTC") or a POSIX TZ string, at most 64 characters, never a path (no
 * leading '/', no "..") so that naming it opens nothing outside the zone
 * database. */
bool verify_time_zone_valid(const char *zone);
/* The first finding with the final verdict, for the report's first line. */
const verify_finding *verify_first_of_verdict(const verify_ctx *c);
char *verify_format_media_ns(int64_t ns);

/* studio-verify --chain: the sessions dirs[0..n) as one device chain;
 * returns the exit code, having printed the report on stdout, or -errno with
 * *ret_message (g_free; not escaped) for a usage error, having printed
 * nothing. */
int verify_chain_main(const verify_options *o, char **dirs, size_t n, char **ret_message);

/* studio-verify --intake-record DIR|FILE (intake-record.c): prints what the
 * intake recorded, whether its signature verifies under an intake key of
 * --registry and whether its RFC 3161 token verifies under --tsa-ca;
 * returns 0 when both verify, VERIFY_EXIT_ERROR otherwise. */
int verify_intake_record_main(const verify_options *o, const char *arg);

/* Loads the inputs and runs every check: < 0 (with c->error) for a usage
 * error, otherwise the verdict is in c->verdict. */
int verify_run(verify_ctx *c);

/* checks, in the order verify_run runs them */
int verify_load_manifest(verify_ctx *c);
int verify_load_trust(verify_ctx *c);
int verify_load_identity(verify_ctx *c);
void verify_check_signatures(verify_ctx *c);
void verify_check_log(verify_ctx *c);
void verify_check_manifest_vs_log(verify_ctx *c);
void verify_check_files(verify_ctx *c);
void verify_check_segments(verify_ctx *c);
void verify_check_sums(verify_ctx *c);
void verify_check_decrypt(verify_ctx *c);
void verify_check_media(verify_ctx *c);
void verify_check_previous(verify_ctx *c);

/* reports */
/* The report's first line after the verdict word. */
char *verify_summary(const verify_ctx *c);
void verify_event_row_free(gpointer row);
/* Custody timeline (start, segments, marks, breaks, faults, recovery, stop),
 * as the log pass kept it (caller unrefs). */
GPtrArray *verify_timeline(const verify_ctx *c);
void verify_report_text(const verify_ctx *c, FILE *out);
void verify_report_json(const verify_ctx *c, FILE *out);
int verify_report_html(const verify_ctx *c, const char *path);
