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
 *                   clock_sync, recipients[] (age1… recipients)
 *   checkpoint      segment, sealed_bytes (int), sealed_sha256, media_ns (int)
 *   segment-sealed  segment ("seg-000001.mkv.age"), plaintext_sha256,
 *                   sealed_sha256, plaintext_bytes (int), sealed_bytes (int),
 *                   media_start_ns (int), duration_ns (int), wall_start, wall_end
 *   mark | break | resume   media_ns (int), note (optional)
 *   fault           what, detail
 *   recovery        written by custody_recover() itself
 *   stop            reason, segments (int)
 */
#pragma once

#include <json-glib/json-glib.h>

#include "minisign.h"

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
 * comment holds the session id and time; then records the log's last hash
 * in STATE_DIR/chain-head. All writes are atomic. */
int custody_session_close(const char *session_dir, const char *state_dir, const minisign_secret *key);

/* Finds the session folders in spool_dir that have a custody log but no
 * manifest (a crash), appends a recovery entry to each (last checkpoint,
 * sealed length on disk, length verified against that checkpoint,
 * salvageable length) and closes it; the manifest marks the open segment
 * truncated. Nothing is rewritten. Returns the number of sessions
 * recovered; ret_report (optional, caller frees) says what was found. */
int custody_recover_spool(const char *spool_dir, const char *state_dir, const minisign_secret *key,
                          char **ret_report);
