/* studio-intake: the police side's first service. It verifies every
 * session as it arrives in the vault, with studio-verify's library
 * (appliance/verify), and writes a signed verification record beside it
 * (docs/intake.md). It holds no vault identity: it never decrypts.
 *
 * Functions return 0 or -errno with *ret_message (one sentence naming the
 * thing and the fix; caller frees). */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "minisign.h"
#include "verify.h"

#define INTAKE_CONF_DEFAULT_PATH "/etc/studio/intake.conf"
#define INTAKE_INDEX_DEFAULT "/var/lib/studio-intake/index.sqlite"
#define INTAKE_RECORD_FORMAT "studio-intake-record/1"
#define INTAKE_RECORDS_FOLDER "verifications" /* RECORDS/verifications/<session>.json */
#define INTAKE_RECORD_MAX (4u << 20)          /* a record we did not write bigger than this is refused */
#define INTAKE_RECEIPTS_MAX (16u << 20)       /* a receipts file of a session of many segments */

/* The [intake] section of its own configuration file. */
typedef struct intake_conf {
        gchar *path;
        gchar *vault;   /* "dir:/path" or "s3://bucket/prefix" */
        gchar *records; /* where records go; default: the vault (dir:), s3://BUCKET/intake/PREFIX */
        gchar *endpoint, *region, *credentials_file, *ca_file; /* s3, as the uploader's */
        gchar *registry, *registry_key; /* the signed key registry, police IT's public key */
        gchar *signing_key;             /* the intake's minisign secret key (path or credential:NAME) */
        gchar *tsa_url, *tsa_ca_file;   /* RFC 3161; NULL: no token is asked for */
        gchar *index;                   /* the SQLite index */
        gchar *scratch;                 /* s3: where a session is fetched to be verified (emptied after) */
        uint64_t interval_ns;           /* between passes of the daemon */
        int retention_days;             /* the records' lock (s3) */
        int log_level;
} intake_conf;

int intake_conf_load(const char *path, intake_conf **ret, gchar **ret_message);
intake_conf *intake_conf_free(intake_conf *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(intake_conf, intake_conf_free)

/* One session's facts, from the verification, for the record. */
typedef struct intake_facts {
        const char *session;
        const char *arrived;         /* RFC 3339 UTC: when its receipts file arrived */
        const char *receipts_sha256; /* of the receipts file as read */
        const char *tsa_url;         /* NULL: no token asked for */
        char intake_key_id[2 * MINISIGN_KEY_ID_LEN + 1];
} intake_facts;

/* The record's text (JSON, one object, ends with a newline) for the
 * verification c has run (caller frees). */
char *intake_record_build(const verify_ctx *c, const intake_facts *f, int64_t now_us, size_t *ret_len);
/* What a record says, read back (for the re-check and the index). */
typedef struct intake_record {
        char *session, *verdict, *manifest_sha256, *device_id, *intake_key_id;
} intake_record;
void intake_record_clear(intake_record *r);
/* Parses a record's text, bounded (INTAKE_RECORD_MAX, JSON depth): -EBADMSG
 * when it is not a record of INTAKE_RECORD_FORMAT. */
int intake_record_parse(const char *text, size_t len, intake_record *ret, gchar **ret_message);

/* The verdicts that are no alert: INTACT, and TRUNCATED (the device itself
 * recovered after a power cut and says up to where the session is intact). */
bool intake_verdict_alert(const char *verdict);

typedef struct intake intake;

/* Opens the vault, the records' place and the signing key. */
int intake_open(const intake_conf *conf, intake **ret, gchar **ret_message);
intake *intake_free(intake *in);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(intake, intake_free)

typedef struct intake_pass_result {
        unsigned sessions;       /* sessions whose receipts file has arrived */
        unsigned written;        /* records written in this pass */
        unsigned checked;        /* records that were there, re-checked */
        unsigned alerts;         /* sessions whose verdict is an alert (logged at error priority) */
        unsigned failed;         /* sessions left without a good record (the reason logged) */
        unsigned refused;        /* listing entries that are no session (logged, never used) */
        unsigned tokens;         /* time-stamp tokens written in this pass */
        unsigned tokens_pending; /* records still without a token (the TSA did not answer) */
        bool lock_not_enforced;  /* the vault deleted the lock canary's locked version (an alert) */
        bool canary_unchecked;   /* the lock canary could not be put or asked for */
} intake_pass_result;

/* One pass over the vault's receipts/: every session without a record is
 * verified and gets one; every record there is re-checked. Logs each
 * session's outcome. < 0 only when the vault cannot be listed. */
int intake_pass(intake *in, intake_pass_result *ret, gchar **ret_message);

/* --rebuild-index: the index emptied and filled again from the records
 * alone (only records signed by the intake's key). */
int intake_rebuild_index(intake *in, unsigned *ret_rows, gchar **ret_message);

/* The `sessions` command (sessions.c): returns the exit code, having
 * printed the list or the problem. */
int intake_sessions_main(const intake_conf *conf, int argc, char **argv);

/* The daemon (daemon.c): passes every [intake] interval until SIGTERM;
 * returns the exit code. */
int intake_daemon_main(intake *in);
