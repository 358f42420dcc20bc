/* What the intake's modules share inside appliance/intake. */
#pragma once

#include "index.h"
#include "intake.h"
#include "vault.h"

struct intake {
        const intake_conf *conf;
        int vault_fd;           /* dir: the vault's root folder */
        vault *vault;           /* s3: the vault read through the uploader's library (source-s3.c) */
        GHashTable *arrived_us; /* s3: session -> its receipts' LastModified, from this pass's listing */
        int records_fd;         /* dir: the records' root folder */
        vault *records;         /* where records are put and confirmed (the uploader's vault library) */
        intake_index *index;
        minisign_secret *sk;
        minisign_public pk;
        char key_id[2 * MINISIGN_KEY_ID_LEN + 1];
};

/* The session id of a receipts file name "<session>.jsonl" (caller
 * frees), or NULL (pass.c). */
char *intake_receipts_session(const char *name);
/* A listing entry that names no session: counted, the first of a pass
 * logged escaped. */
void intake_refuse_entry(intake_pass_result *res, const char *name, const char *why);

/* source-s3.c: an s3:// vault. The sessions whose receipts are listed
 * (in->arrived_us filled); a session's objects fetched into a fresh
 * folder of the scratch space (*ret_refused: objects with a name no
 * session holds, not fetched; failures logged); that folder removed; the
 * receipts file read (bounded) with its arrival. */
int intake_s3_list_sessions(intake *in, GPtrArray *sessions, intake_pass_result *res, gchar **ret_message);
int intake_s3_fetch(intake *in, const char *session, int *ret_dirfd, unsigned *ret_refused);
void intake_s3_drop(intake *in, const char *session);
int intake_s3_receipts(intake *in, const char *session, char **ret_data, size_t *ret_len,
                       int64_t *ret_arrived_us);

/* The lock canary (canary.c), below the records' place: put (idempotent)
 * and its locked version's DELETE asked for; 0 refused as it must be (or a
 * dir: records place), -ENOLCK the vault deleted it (an alert, logged),
 * other < 0 it could not be checked (logged). */
#define INTAKE_CANARY_KEY "canary/lock-canary.txt"
int intake_canary(intake *in);

/* The record's keys below the records' place. */
char *intake_record_key(const char *session, const char *suffix);

/* Reads an object of the records' place, at most max bytes: -ENOENT when
 * absent, -EFBIG when larger. */
int intake_records_read(intake *in, const char *key, size_t max, char **ret_data, size_t *ret_len,
                        gchar **ret_message);
/* Puts bytes under key (vault_put: written once, confirmed, never
 * overwritten: -EBADMSG when other bytes are there). */
int intake_records_put(intake *in, const char *key, const char *data, size_t len, gchar **ret_message);

/* Verifies one session and writes its record (pass.c calls it). */
typedef enum intake_outcome {
        INTAKE_WRITTEN,
        INTAKE_CHECKED,
        INTAKE_FAILED,
} intake_outcome;
intake_outcome intake_session(intake *in, const char *session, bool *ret_alert);

/* The record's time-stamp token (token.c): 0 when there is none to ask for
 * (no tsa_url), when it is there and verifies, or when it was just written
 * (*ret_written); -EAGAIN when the TSA did not give one (logged: the next
 * pass asks again); other < 0: a token that does not verify (an alert,
 * logged) or one that cannot be written. */
int intake_token(intake *in, const char *session, bool *ret_written, char **ret_time);

/* The session's row in the index from its record as it is now (a record
 * the pass has written or re-checked); logged when it cannot be written. */
void intake_index_session(intake *in, const char *session, const char *token_time);
