/* The custody log of one session, and what closes a session: the manifest,
 * the two SHA256SUMS files and their minisign signatures.
 *
 * custody.jsonl holds one JSON object per line:
 *   {"seq":N,"utc":"2026-11-28T14:00:00.123456Z","mono_ns":N,"event":"…",
 *    …event fields…,"prev":"<sha256 hex of the previous line>","sig":"<base64 Ed25519>"}
 * "sig" signs the line's bytes as written without its ,"sig":"…" member
 * (docs/session-format.md pins the exact bytes). The first entry's "prev"
 * is the hash of the last line of the device's previous session, kept in
 * STATE_DIR/chain-head; a device's first session ever uses 64 zeros.
 * Every line is written with one write() and fdatasync'd before append
 * returns.
 *
 * The manifest is built from the log alone (segment-sealed and recovery
 * entries), so a session that crashed can still be closed honestly.
 *
 * Event names and the fields the recorder gives (all strings unless noted):
 *   session-start   session, officer, room, device_id, software_version,
 *                   profile, profile_sha256, cameras[], microphones[],
 *                   clock_sync, recipients[] (age1… recipients); and
 *                   device_key_id, device_public_key (the signing key:
 *                   added by custody_entry_build itself, studio-session/2)
 *   checkpoint      segment, sealed_bytes (int), sealed_sha256, media_ns (int)
 *   segment-sealed  segment ("seg-000001.mkv.age"), plaintext_sha256,
 *                   sealed_sha256, plaintext_bytes (int), sealed_bytes (int),
 *                   media_start_ns (int), duration_ns (int), wall_start, wall_end
 *   mark | break | resume   media_ns (int), note (optional, plaintext: old
 *                   sessions and internal names only), note_age (optional:
 *                   the note sealed for the vault, custody_note_seal)
 *   fault           what, detail
 *   recovery        written by custody_recover() itself
 *   stop            reason, segments (int)
 */
#pragma once

#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "age.h"
#include "minisign.h"
#include "sha256.h"

typedef struct custody_log custody_log;

/* Creates SESSION_DIR/custody.jsonl (it must not exist yet) and links it to
 * STATE_DIR/chain-head. key is borrowed and must outlive the log. */
int custody_log_create(const char *session_dir, const char *state_dir, const minisign_secret *key,
                       custody_log **ret);
/* Appends one signed entry. fields is borrowed (may be NULL). */
int custody_log_append(custody_log *log, const char *event, JsonObject *fields);
/* SHA-256 hex of the last line written. */
const char *custody_log_head(const custody_log *log);
custody_log *custody_log_free(custody_log *log);

/* Closes a session whose log ends with "stop" (or "recovery"): writes
 * manifest.json, SHA256SUMS (plaintext names, seg-000001.mkv),
 * SHA256SUMS.sealed (sealed names) and a .minisig for each, whose trusted
 * comment holds the session id and time (each signature before its file,
 * manifest.json last: its presence marks the session closed); then moves
 * STATE_DIR/chain-head to the log's last hash if it still is the log's
 * first "prev". All writes are atomic. */
int custody_session_close(const char *session_dir, const char *state_dir, const minisign_secret *key);

/* Ends a session whose recording stopped on a fault (a full disk, a lost
 * camera) with segment files the log does not account for: exactly as
 * crash recovery closes one, it appends a recovery entry for each (last
 * checkpoint, sealed length and SHA-256 on disk, salvageable length), then
 * stop with reason, then closes it; the manifest marks them truncated. The
 * caller has freed its custody_log first. A log that already ends in stop
 * is only closed. When a write fails (the disk is still full), what was
 * appended stays and the next start's recovery finishes the close.
 * ret_report (optional, caller frees) says what was found. */
int custody_session_close_cut(const char *session_dir, const char *state_dir, const minisign_secret *key,
                              const char *reason, char **ret_report);

/* Finds the session folders in spool_dir that a crash left unclosed,
 * appends a recovery entry to each (last checkpoint, sealed length on
 * disk, length verified against that checkpoint, salvageable length) and
 * closes it; the manifest marks the open segment truncated. Finishes a
 * close a crash interrupted (missing closing files, a chain head left
 * behind). A folder that cannot be closed honestly (empty or damaged log,
 * segments without a log) is left untouched and named in the report; it
 * never stops the others. Nothing is rewritten. Returns the number of
 * sessions closed, or -errno when spool_dir cannot be read; ret_report
 * (optional, caller frees) says what was found. */
int custody_recover_spool(const char *spool_dir, const char *state_dir, const minisign_secret *key,
                          char **ret_report);

/* ---- reading and checking (verifier, recovery, tests) ---------------- */

#define CUSTODY_LINE_MAX (64 * 1024) /* longer lines are refused */
#define CUSTODY_ENTRIES_MAX 1000000
#define CUSTODY_LOG_MAX ((size_t) 256 * 1024 * 1024)
#define CUSTODY_UTC_LEN 27 /* 2026-11-28T14:00:00.123456Z */
#define CUSTODY_SIG_B64_LEN 88
#define CUSTODY_SIG_SUFFIX_LEN (8 + CUSTODY_SIG_B64_LEN + 2) /* ,"sig":"…"} */
#define CUSTODY_SEGMENTS_MAX 100000
#define CUSTODY_EVENTS_MAX 100000                   /* marks, breaks, resumes, faults, recoveries */
#define CUSTODY_AGE_CHUNK_SEALED AGE_ENC_CHUNK_SIZE /* one sealed STREAM chunk (age.h owns it) */

typedef enum custody_event {
        CUSTODY_EV_SESSION_START,
        CUSTODY_EV_CHECKPOINT,
        CUSTODY_EV_SEGMENT_SEALED,
        CUSTODY_EV_MARK,
        CUSTODY_EV_BREAK,
        CUSTODY_EV_RESUME,
        CUSTODY_EV_FAULT,
        CUSTODY_EV_RECOVERY,
        CUSTODY_EV_STOP,
        _CUSTODY_EV_MAX,
        _CUSTODY_EV_INVALID = -EINVAL,
} custody_event;

const char *custody_event_to_string(custody_event ev);
custody_event custody_event_from_string(const char *s);

typedef struct custody_entry {
        unsigned line_no;   /* 1-based */
        size_t offset, len; /* the line in the log, without its newline */
        const char *line;   /* its bytes (a reader's: valid until its next call) */
        bool fragment;      /* a crash fragment declared by the next recovery entry */
        uint64_t seq;
        int64_t mono_ns;
        char utc[CUSTODY_UTC_LEN + 1];
        custody_event event;
        char prev[SHA256_HEX_LEN + 1];
        char hash[SHA256_HEX_LEN + 1]; /* SHA-256 of the line */
        JsonObject *obj;               /* NULL for a fragment */
} custody_entry;

typedef struct custody_parsed_log {
        char *data; /* the whole log (NUL-terminated copy) */
        size_t len;
        custody_entry *entries;
        size_t n_entries;
        size_t trailing_bytes; /* bytes after the last newline: a partial line */
} custody_parsed_log;

/* Reading a log one entry at a time, in memory bounded by the longest
 * line whatever the log's length: what the verifier uses. Each entry is
 * parsed and validated as custody_log_parse does (structure and types, not
 * signatures or the chain); a line that does not parse is yielded as a
 * fragment only when the recovery entry right after it declares it. */
typedef struct custody_log_reader custody_log_reader;
/* Reads from fd's current offset (borrowed, not closed). */
custody_log_reader *custody_log_reader_new(int fd);
/* Reads data[0..len) (borrowed: it must outlive the reader). */
custody_log_reader *custody_log_reader_new_mem(const char *data, size_t len);
/* 1 and *ret_entry (valid until the next call; its obj may be kept with
 * json_object_ref), 0 at the end, or < 0: -EBADMSG (a malformed line, or
 * more than CUSTODY_ENTRIES_MAX lines), -EFBIG (larger than
 * CUSTODY_LOG_MAX), -errno from read(); *ret_error (optional, caller
 * g_frees) names the line and the fault. */
int custody_log_reader_next(custody_log_reader *r, const custody_entry **ret_entry, char **ret_error);
/* After the end: every byte read, their SHA-256, and the partial last line
 * (bytes after the last newline; its bytes only when at most
 * CUSTODY_LINE_MAX, else NULL). */
uint64_t custody_log_reader_bytes(const custody_log_reader *r);
void custody_log_reader_sha256(custody_log_reader *r, char out[SHA256_HEX_LEN + 1]);
const char *custody_log_reader_trailing(const custody_log_reader *r, size_t *ret_len);
custody_log_reader *custody_log_reader_free(custody_log_reader *r);

/* Parses and validates a whole log held in memory (the appliance's own
 * logs: recovery and close). On -EBADMSG, *ret_error (caller frees) names
 * the line and fault. */
int custody_log_parse(const char *data, size_t len, custody_parsed_log **ret, char **ret_error);
int custody_log_parse_file(const char *path, custody_parsed_log **ret, char **ret_error);
custody_parsed_log *custody_parsed_log_free(custody_parsed_log *log);

/* The signing rule: the bytes the "sig" member signs (caller g_frees). */
int custody_line_signed_bytes(const char *line, size_t len, char **ret_msg, size_t *ret_msg_len,
                              uint8_t ret_sig[MINISIGN_SIG_LEN]);
void custody_line_hash(const char *line, size_t len, char out[SHA256_HEX_LEN + 1]);

/* Typed field access on an entry; NULL / false when absent or mistyped. */
const char *custody_entry_str(const custody_entry *e, const char *name);
bool custody_entry_int(const custody_entry *e, const char *name, int64_t *ret);

/* "seg-000001.mkv.age": "seg-", digits, ".mkv.age"; nothing else is a segment. */
bool custody_segment_name_valid(const char *name);

/* Sealed (age) file geometry: the header length (through the "---" line),
 * and the bytes that form the header, nonce and whole sealed chunks. */
int custody_sealed_header_len(int fd, uint64_t *ret_len);
uint64_t custody_sealed_salvageable(uint64_t header_len, uint64_t size);
/* One pass over fd from its current offset: the SHA-256 of its first
 * prefix bytes (*ret_prefix_ok false when the file is shorter) and of all
 * of it, and its length. */
int custody_sealed_hash(int fd, uint64_t prefix, uint8_t ret_prefix[SHA256_LEN], uint8_t ret_all[SHA256_LEN],
                        uint64_t *ret_size, bool *ret_prefix_ok);

/* ---- the manifest ----------------------------------------------------- */

typedef struct custody_manifest_segment {
        char *name;           /* seg-000001.mkv.age */
        char *plaintext_name; /* seg-000001.mkv */
        bool truncated;
        char plaintext_sha256[SHA256_HEX_LEN + 1]; /* complete segments only */
        char sealed_sha256[SHA256_HEX_LEN + 1];    /* of the file as stored */
        uint64_t plaintext_bytes, sealed_bytes;
        int64_t media_start_ns, duration_ns;
        char *wall_start, *wall_end;
        /* truncated segments */
        uint64_t verified_bytes, checkpoint_seq, unverifiable_bytes, salvageable_bytes;
        char checkpoint_sha256[SHA256_HEX_LEN + 1];
        int64_t checkpoint_media_ns;
} custody_manifest_segment;

/* An audio track as session-start names it (studio-session/3). */
typedef struct custody_manifest_track {
        char *role, *label, *device;
        char *language;   /* NULL when not given */
        uint64_t channel; /* 0: the whole source */
        bool required;
} custody_manifest_track;

typedef struct custody_manifest {
        char *format, *session, *device_id, *device_key_id, *device_public_key;
        char *officer, *room, *software_version, *profile, *profile_sha256, *clock_sync;
        char *started_utc, *ended_utc, *stop_reason;
        custody_manifest_segment *segments;
        size_t n_segments;
        custody_manifest_track *tracks; /* studio-session/3; NULL before */
        size_t n_tracks;
        char *log_name;
        char log_sha256[SHA256_HEX_LEN + 1];
        char log_first_prev[SHA256_HEX_LEN + 1];
        char log_last_line_sha256[SHA256_HEX_LEN + 1];
        uint64_t log_bytes, log_entries;
} custody_manifest;

/* studio-session/1: the release before the session-start entry named its
 * key; studio-session/2: session-start carries device_key_id and
 * device_public_key (docs/session-format.md). All verify. */
#define CUSTODY_MANIFEST_FORMAT_V1 "studio-session/1"
#define CUSTODY_MANIFEST_FORMAT_V2 "studio-session/2"
/* studio-session/3: session-start names the audio tracks ("tracks"), and
 * the manifest repeats them, with each segment's track roles. */
#define CUSTODY_MANIFEST_FORMAT "studio-session/3"
#define CUSTODY_TRACKS_MAX 16
#define CUSTODY_MANIFEST_MAX (16 * 1024 * 1024)

/* The manifest a closed log implies (session close writes exactly this;
 * the verifier rebuilds it to compare). Text ends with a newline. */
int custody_manifest_from_log(const custody_parsed_log *log, const minisign_public *pk, char **ret_text,
                              size_t *ret_len);
/* The same, built one entry at a time (fed every entry in order, fragments
 * too), so a log of any length costs memory only for what the manifest
 * lists. finish gives -EBADMSG for a log that does not describe a closed
 * session, -E2BIG for one with more segments, events or segments open at
 * once than a manifest can list (no recorder writes such a log). */
typedef struct custody_manifest_builder custody_manifest_builder;
custody_manifest_builder *custody_manifest_builder_new(void);
void custody_manifest_builder_add(custody_manifest_builder *b, const custody_entry *e);
int custody_manifest_builder_finish(custody_manifest_builder *b, const minisign_public *pk,
                                    uint64_t log_bytes, const char *log_sha256, size_t trailing,
                                    char **ret_text, size_t *ret_len);
custody_manifest_builder *custody_manifest_builder_free(custody_manifest_builder *b);
int custody_manifest_parse(const char *data, size_t len, custody_manifest **ret, char **ret_error);
custody_manifest *custody_manifest_free(custody_manifest *m);

/* The exact SHA256SUMS (sealed=false) or SHA256SUMS.sealed text a manifest
 * implies (caller frees). */
char *custody_sums_format(const custody_manifest *m, bool sealed, size_t *ret_len);

/* ---- sealed notes (note.c) --------------------------------------------
 * A mark's note can hold case content, so it is never written in the
 * clear: "note_age" holds it as an age v1 file for the session's vault
 * recipients, ASCII-armored exactly as the age spec defines (the text
 * decrypts as is with stock `age -d -i vault.key`). Only the ciphertext is
 * signed, as part of the entry. docs/session-format.md pins the format. */
#define CUSTODY_NOTE_MAX 4096              /* plaintext bytes (UTF-8, no NUL) */
#define CUSTODY_NOTE_ARMOR_MAX (32 * 1024) /* armored bytes custody_note_open accepts */
#define CUSTODY_NOTE_ARMOR_BEGIN "-----BEGIN AGE ENCRYPTED FILE-----"
#define CUSTODY_NOTE_ARMOR_END "-----END AGE ENCRYPTED FILE-----"

/* 0 when note[0..len) can be sealed (1..CUSTODY_NOTE_MAX bytes of UTF-8, no
 * NUL), else -EINVAL and *ret_message (optional, caller g_frees) says why
 * and what to give instead: for a caller that checks a note before it is
 * sealed, e.g. a control socket holding a length-counted string. */
int custody_note_check(const char *note, size_t len, gchar **ret_message);

/* Seals note for recipients ("age1…", NULL-terminated, 1..AGE_RECIPIENT_MAX)
 * into *ret_armored (caller g_frees): a fresh file key per note, wiped when
 * done. -EINVAL (a bad note or recipient), -E2BIG (too large sealed), or
 * -errno; *ret_message (optional, caller g_frees) names what and the fix.
 * The plaintext is held in no buffer of this module after it returns. */
int custody_note_seal(char *const *recipients, const char *note, gchar **ret_armored, gchar **ret_message);

/* The age file an armored note holds (caller g_frees *ret_data), read
 * strictly: -EBADMSG for anything but the BEGIN line, base64 lines of 64
 * columns (only the last one shorter), canonical padded base64, the END
 * line and its LF, at most CUSTODY_NOTE_ARMOR_MAX bytes in all. */
int custody_note_dearmor(const char *armored, size_t len, uint8_t **ret_data, size_t *ret_len,
                         gchar **ret_message);

/* Opens an armored note with identities sks[0..n_sks): *ret_note (caller
 * g_frees) is the whole authenticated note. -EBADMSG when it is malformed,
 * altered, cut short or its text not a note; -ENOKEY when no identity is a
 * recipient; *ret_message (optional) says which. */
int custody_note_open(const char *armored, const uint8_t (*sks)[AGE_KEY_LEN], size_t n_sks, gchar **ret_note,
                      gchar **ret_message);
