/* Internals shared by the custody module's files; not part of its API. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "custody.h"

#define CUSTODY_ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define CUSTODY_LOG_NAME "custody.jsonl"
#define CUSTODY_CHAIN_HEAD "chain-head"
/* A session's own files (log, manifest, SHA256SUMS, signatures): read by
 * the uploader through the spool's group, written only by the recorder. */
#define CUSTODY_FILE_MODE 0640

/* Current UTC time as "YYYY-MM-DDTHH:MM:SS.uuuuuuZ". */
void custody_utc_now(char out[CUSTODY_UTC_LEN + 1]);
int64_t custody_mono_ns(void);

/* Builds the signed line (with '\n') for one entry; caller frees. */
int custody_entry_build(const minisign_secret *key, uint64_t seq, const char *utc, int64_t mono_ns,
                        const char *event, JsonObject *fields, const char *prev, char **ret_line,
                        size_t *ret_len);

/* Reads STATE_DIR/chain-head (64 zeros when there is none yet). */
int custody_chain_head_read(const char *state_dir, char out[65]);
int custody_chain_head_write(const char *state_dir, const char *hash);
/* Moves the chain head to last_hash if it is still first_prev (the head
 * the session was linked to), so closing an old session never moves the
 * head back. */
int custody_chain_advance(const char *state_dir, const char *first_prev, const char *last_hash,
                          bool *ret_advanced);

/* custody_session_close, also finishing a close a crash interrupted: only
 * missing files are written; on -EEXIST (a file that differs from what
 * the log implies) *ret_error says which (caller frees). */
int custody_session_complete(const char *session_dir, const char *state_dir, const minisign_secret *key,
                             char **ret_error);

/* The first entry that is not a crash fragment, or NULL. */
const custody_entry *custody_log_first_whole(const custody_parsed_log *log);
/* A log that never got a whole session-start (power cut while it was
 * written): its first whole entry is the recovery entry. */
bool custody_log_startless(const custody_parsed_log *log);
/* The log ends where a session ends: with stop, or for a start-less log
 * with its recovery entry, and no partial line. */
bool custody_log_finished(const custody_parsed_log *log);

/* Opens an existing log for appending after recovery: seq/head continue
 * from the parsed log, or from STATE_DIR/chain-head (seq 1 next) when it
 * has no whole entry. */
int custody_log_open_append(const char *session_dir, const char *state_dir, const custody_parsed_log *parsed,
                            const minisign_secret *key, custody_log **ret);

/* Appends extra raw bytes before the next line (the newline that ends a
 * crash fragment); used only by recovery. */
int custody_log_append_with_prefix(custody_log *log, const char *prefix, const char *event,
                                   JsonObject *fields);

/* Event field schema check; error text into err. */
int custody_schema_check(custody_event ev, JsonObject *obj, char *err, size_t errlen);

bool custody_utc_valid(const char *s);
bool custody_hex64_valid(const char *s);

/* The manifest's "tracks" into m (manifest-tracks.c): required from
 * studio-session/3 on, absent before; -EBADMSG when malformed. */
int custody_manifest_parse_tracks(JsonObject *root, custody_manifest *m);
void custody_manifest_free_tracks(custody_manifest *m);
