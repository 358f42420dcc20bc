/* The uploader's parts (studio-uploader): the receipts of a session
 * (receipts.c), what a session folder holds and which of its files may go
 * to the vault yet (scan.c), the one function that removes a local copy
 * (wipe.c), and one pass over the spool (uploader.c). Library modules: they
 * return -errno and a message; main.c logs. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "backlog.h"
#include "minisign.h"
#include "sha256.h"
#include "vault.h"

#define UPL_RECEIPTS_DIR "receipts"       /* SPOOL/receipts/: ours, never a session */
#define UPL_RECEIPTS_FILE_MAX (16u << 20) /* a session's receipts file; larger is refused */
#define UPL_RECEIPT_LINE_MAX 4096

/* ---- receipts.c: SPOOL/receipts/<session>.jsonl ------------------------- */

/* One confirmed object, as loaded: key -> upl_receipt. It says what the
 * vault confirmed once; only vault_confirm, asked now, proves the vault
 * still holds it (the file is on the appliance's disk, writable by whoever
 * can rename the receipts folder). */
#define UPL_VERSION_ID_MAX 1024
typedef struct upl_receipt {
        uint64_t size;
        char sha256[SHA256_HEX_LEN + 1];
        int64_t time_us;
        gchar *version_id;       /* S3: the version confirmed; NULL for a directory vault */
        int64_t retain_until_us; /* S3: the lock's end; 0 for a directory vault */
} upl_receipt;

typedef struct upl_receipts {
        GHashTable *by_key;   /* gchar * key -> upl_receipt *, of this vault (the latest line wins) */
        unsigned refused;     /* lines that did not parse: their objects are confirmed again */
        gchar *first_refused; /* what was wrong with the first (for the report) */
        unsigned elsewhere;   /* well-formed lines of another vault, or of none (older receipts) */
        int64_t last_us;      /* the latest receipt's time, of this vault; 0: none */
} upl_receipts;

/* Loads the receipts of session (a missing file is an empty set) that name
 * vault_id (vault_id(v)); a line naming another vault, or none (receipts
 * written before they named it), proves nothing here: it is counted in
 * elsewhere and its object is confirmed with this vault again. Lines that
 * are not a well-formed receipt of one of the session's keys are counted in
 * refused, never fatal. -EFBIG past UPL_RECEIPTS_FILE_MAX. */
int upl_receipts_load(int receipts_dirfd, const char *session, const char *vault_id, upl_receipts **ret,
                      gchar **ret_message);
upl_receipts *upl_receipts_free(upl_receipts *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(upl_receipts, upl_receipts_free)
/* The receipt of key when it matches size and sha256; NULL otherwise. */
const upl_receipt *upl_receipts_match(const upl_receipts *r, const char *key, uint64_t size,
                                      const char *sha256);
/* The receipt of key (whatever it says), or NULL. */
const upl_receipt *upl_receipts_get(const upl_receipts *r, const char *key);
/* Appends one line for rc (which names its vault, vault_put sets it) and
 * fdatasyncs it (after a newline when a crash left a partial last line);
 * adds it to r. */
int upl_receipts_append(int receipts_dirfd, const char *session, upl_receipts *r, const vault_receipt *rc,
                        gchar **ret_message);
/* The latest receipt of vault_id in the spool's receipts (what "last
 * transfer" says after a restart, when the sessions are wiped): read from
 * the UPL_LAST_TRANSFER_FILES receipts files written last; 0 when none. */
#define UPL_LAST_TRANSFER_FILES 16
int64_t upl_receipts_last_transfer(int receipts_dirfd, const char *vault_id);
/* The JSON line for rc (without its newline). */
gchar *upl_receipt_line(const vault_receipt *rc);

/* ---- scan.c: a session folder ------------------------------------------- */

/* "20261128T141500Z-1a2b3c4d": what the recorder names a session. */
bool upl_session_name_valid(const char *name);
/* A segment (seg-000001.mkv.age) or one of the files that close a session. */
bool upl_session_file_name(const char *name);

typedef struct upl_file {
        gchar *name; /* in the session folder */
        uint64_t size;
        char sha256[SHA256_HEX_LEN + 1];
        char content_md5[VAULT_MD5_B64_LEN + 1]; /* base64, from the same read (S3's Content-MD5) */
        int64_t mtime_us;
} upl_file;

/* A closing file (custody.jsonl, the SHA256SUMS files, manifest.json…). */
bool upl_closing_file_name(const char *name);
/* The uid that made the spool, and so every session and file the recorder
 * makes in it (tmpfiles.d gives the spool to the recorder's user): a file
 * of anyone else is a stranger, never sent, never wiped. */
int upl_spool_owner(int spool_dirfd, uid_t *ret);
/* The segment names manifest.json in dfd lists (a set). */
int upl_manifest_segments(int dfd, GHashTable **ret, gchar **ret_message);

typedef struct upl_session {
        gchar *name;
        bool closed;        /* manifest.json (the recorder's) present: the recorder is done with it */
        bool empty;         /* the folder holds nothing at all (a wipe cut before its rmdir) */
        GPtrArray *ready;   /* upl_file *: the files that may go to the vault now, in order */
        GPtrArray *ignored; /* gchar *: what is in the folder and never goes (reported) */
        unsigned strangers; /* of those, what the recorder did not make (the backlog says so) */
} upl_session;

/* Reads spool_dirfd/name (never through a link): when closed, every
 * session file its manifest names (segments, then the log, the SHA256SUMS
 * files, the manifest last); while open, each segment the custody log
 * says is sealed whose file hashes as the log says. Hashes each file it
 * lists. Only what the spool's owner made counts: a folder of anyone else
 * is -EPERM, a file of anyone else or a segment the manifest does not list
 * is in ignored. */
int upl_session_scan(int spool_dirfd, const char *name, upl_session **ret, gchar **ret_message);
upl_session *upl_session_free(upl_session *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(upl_session, upl_session_free)

/* ---- wipe.c ------------------------------------------------------------- */

/* The only function that deletes anything: removes the local copy of a
 * closed session when, checked here and now: the folder, its manifest and
 * every file in it were made by the recorder (the spool's owner) and are
 * the files the manifest names; local_retention_ns has passed since the
 * latest receipt; every file, hashed again, has a receipt of this vault
 * (vault_id) with its size and SHA-256; the receipts file is in the vault
 * as it is here; and the vault confirms, now, the very object each receipt
 * names (vault_confirm). An empty folder (a wipe cut before its rmdir) is
 * removed once the vault confirms the session's manifest. 1 when removed,
 * 0 when kept (ret_message says why), -errno on a local failure. The keys
 * the vault did not confirm are added to ret_unconfirmed (may be NULL):
 * they must be sent again. The receipts file is kept: it is the spool's
 * record of the custody transfer. */
int upl_wipe_session(int spool_dirfd, int receipts_dirfd, vault *v, const char *session,
                     uint64_t local_retention_ns, GPtrArray *ret_unconfirmed, gchar **ret_message);

/* As upl_wipe_session; with ver (wipe_after = verified; NULL: receipts)
 * the intake's verification record must also be there and accepted
 * (upl_verified) before anything is removed; it is asked first, as it is
 * cheap and the other checks hash every file. *ret_hold (may be NULL) says
 * why a vaulted session was kept for it: UPL_VERIFY_AWAITING (no record
 * yet) or UPL_VERIFY_REFUSED (a record refused: police IT is warned);
 * UPL_VERIFY_OK otherwise. */
typedef struct upl_verifier upl_verifier;
int upl_wipe_session_verified(int spool_dirfd, int receipts_dirfd, vault *v, const upl_verifier *ver,
                              const char *session, uint64_t local_retention_ns, GPtrArray *ret_unconfirmed,
                              int *ret_hold, gchar **ret_message);

/* ---- verified.c, verified-read.c: wipe_after = verified ----------------- */

#define UPL_RECORD_MAX (64u << 10) /* a record or its .minisig; larger is refused */
#define UPL_INTAKE_KEYS_MAX 16     /* intake keys in [uploader] intake_key (rotation) */
#define UPL_INTAKE_KEYS_FILE_MAX (16u << 10)

typedef struct upl_intake_keys {
        minisign_public keys[UPL_INTAKE_KEYS_MAX];
        size_t n;
} upl_intake_keys;

/* One or more minisign public keys (a .pub file, or several concatenated:
 * "untrusted comment:" lines and blank lines skipped). */
int upl_intake_keys_parse(const char *text, size_t len, upl_intake_keys *ret, gchar **ret_message);
int upl_intake_keys_load(const char *path, upl_intake_keys *ret, gchar **ret_message);

/* Checks an intake record's text and its .minisig: signed by one of keys,
 * of session, of the manifest whose SHA-256 (hex) is manifest_sha256, with
 * the verdict INTACT, or TRUNCATED when recovered (the device's own
 * manifest marks a segment truncated). 0 accepted; -EBADMSG not a record
 * (or not a signature); -EKEYREJECTED signed by no provisioned key; -EBADE
 * a signature that does not verify; -ESRCH another session or manifest;
 * -EPROTO another verdict; -EFBIG too large. *ret_message says why
 * (outside strings escaped). */
int upl_record_check(const char *rec, size_t len, const char *sig, size_t sig_len,
                     const upl_intake_keys *keys, const char *session, const char *manifest_sha256,
                     bool recovered, gchar **ret_message);

/* Where the records are: [uploader] intake_records or the intake's default. */
typedef struct upl_records upl_records;
int upl_records_open(const studio_uploader_conf *conf, upl_records **ret, gchar **ret_message);
upl_records *upl_records_free(upl_records *rs);
const char *upl_records_describe(const upl_records *rs);
/* verifications/<session>.json and its .minisig, each at most
 * UPL_RECORD_MAX: -ENOENT when either is not there (yet). */
int upl_records_read(upl_records *rs, const char *session, char **ret_rec, size_t *ret_rec_len,
                     char **ret_sig, size_t *ret_sig_len, gchar **ret_message);

enum {
        UPL_VERIFY_OK = 0,
        UPL_VERIFY_AWAITING = 1, /* no record yet, or it cannot be read now */
        UPL_VERIFY_REFUSED = 2,  /* a record that is refused: the copy stays, police IT is warned */
};
/* The record of session, whose folder is dfd, read from rs and checked
 * against its manifest here: one of UPL_VERIFY_*, *ret_message saying why
 * when not OK. */
int upl_verified(upl_records *rs, const upl_intake_keys *keys, int dfd, const char *session,
                 gchar **ret_message);

/* What the uploader holds for wipe_after = verified: the records' place and
 * the keys, or why they cannot be used (every wipe then waits, refused). */
struct upl_verifier {
        upl_records *records;
        upl_intake_keys keys;
        gchar *unusable; /* NULL when records and keys are there */
};
upl_verifier *upl_verifier_new(const studio_uploader_conf *conf);
upl_verifier *upl_verifier_free(upl_verifier *ver);

/* ---- uploader.c: one pass over the spool -------------------------------- */

typedef struct upl_ctx {
        const studio_uploader_conf *conf;
        vault *v;
        int spool_fd, receipts_fd;
        bool show_progress;   /* per-object progress on stderr (a terminal) */
        GHashTable *reported; /* messages already logged: each said once */
        GHashTable *vaulted;  /* session -> SHA-256 of its receipts file as the vault holds it */
        int64_t last_transfer_us;
        backlog_vault vault_state;
        int64_t bytes_in_flight;        /* the object being sent: bytes sent so far (for the backlog) */
        backlog_doc published;          /* what was last published: the progress callback republishes it */
        int64_t in_flight_published_us; /* when in_flight was last published (at most once a second) */
        const char *room_state_file;    /* [recorder] state_file: hours_left for the status object */
        const char *device_id_file;     /* device.id beside [recorder] device_key */
        backlog_error last_error;       /* of the last pass that sent: NONE after one with no failure */
        int64_t last_error_us;
        upl_verifier *verifier; /* wipe_after = verified; NULL: receipts */
} upl_ctx;

typedef struct upl_pass_result {
        unsigned sent;      /* objects the vault confirmed in this pass */
        unsigned pending;   /* objects still without a confirmed receipt */
        unsigned wiped;     /* local copies removed */
        unsigned strangers; /* spool entries and files the recorder did not make: reported, never sent or
                               wiped */
        int error;          /* the first failure (0: none) */
        gchar *message;     /* what it was, for --once and the log */
        backlog_doc backlog;
} upl_pass_result;

int upl_ctx_init(upl_ctx *c, const studio_uploader_conf *conf, vault *v, gchar **ret_message);
void upl_ctx_done(upl_ctx *c);
/* Uploads what is ready in every session, appends the receipts, wipes what
 * may be wiped and publishes the backlog. Stops at the first failure that
 * is the vault's (unreachable, credentials): the rest would fail alike. */
/* With send false it only counts what is pending (and publishes that). */
void upl_pass(upl_ctx *c, bool send, upl_pass_result *ret);
void upl_pass_result_clear(upl_pass_result *r);
/* What the backlog says of a vault failure r (vault.h's errnos):
 * -EAGAIN, network errnos and -EROFS (a vault folder that went
 * read-only) UNREACHABLE, -EACCES CREDENTIALS, -ENOLCK
 * NOT_LOCKING, -EBADMSG CONFLICT, anything else OTHER; 0 NONE. The
 * spool's own failures are LOCAL, decided where they happen. */
backlog_error upl_error_category(int r);
/* Publishes the backlog of the last pass with the time now (and the bytes
 * in flight, 0 when idle). */
void upl_backlog_publish(upl_ctx *c, const backlog_doc *doc);

/* ---- heartbeat.c -------------------------------------------------------- */

/* Sends heartbeats/<device id>/<UTC time>-heartbeat.json with the open
 * session's latest checkpoint line: 1 sent, 0 nothing to send (closed, no
 * checkpoint yet), -errno. */
int upl_heartbeat(upl_ctx *c, const char *session, gchar **ret_message);
/* Stores text (a heartbeat or status object) under key; no receipt. */
int upl_put_text(vault *v, const char *key, const char *text, gchar **ret_message);

/* ---- status.c ----------------------------------------------------------- */

/* While no session records, sends heartbeats/<device id>/<UTC time>-status.json
 * (schema in status.c and docs/uploader.md): 1 sent, 0 a session records
 * (its heartbeats speak for it), -errno. */
int upl_status(upl_ctx *c, gchar **ret_message);
/* The status object's text for device_id and last (NULL: no session yet). */
gchar *upl_status_json(upl_ctx *c, const char *device_id, const char *last, int64_t now_us);
/* The device id in path (at most 256 bytes, one vault folder name once
 * trimmed): -EBADMSG otherwise, -errno when unreadable. */
int upl_device_id(const char *path, gchar **ret, gchar **ret_message);
