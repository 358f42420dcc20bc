/* The uploader's published backlog: what is still waiting for the vault,
 * for the status page ("last transfer") and the recorder's health monitor.
 * Like the room state it is one JSON object, written atomically (mode 0644)
 * and rewritten at least every BACKLOG_REFRESH_S seconds:
 *   {"sessions":2,"bytes":1073741824,"oldest":"2026-12-01T09:00:00Z",
 *    "last_transfer":"2026-12-01T10:05:00Z","vault":"reachable",
 *    "updated":"2026-12-01T10:40:05Z","in_flight":4194304,
 *    "last_error":"vault does not enforce retention",
 *    "last_error_at":"2026-12-01T10:39:00Z",
 *    "awaiting_verification":1,"verification_failed":0}
 * in_flight, last_error, last_error_at, awaiting_verification and
 * verification_failed may be absent (older uploaders: 0, none, null, 0,
 * 0); last_error is one of a fixed set of words, never the vault's own
 * message. With [uploader] wipe_after = verified, awaiting_verification
 * counts the sessions the vault holds whose local copy waits for the
 * intake's verification record, and verification_failed those whose record
 * was refused (another verdict, a key not provisioned, another manifest):
 * their copies are kept and police IT is warned.
 * It holds counts and times only: never a session identifier, a file name
 * or the vault's address. */
#pragma once

#include <errno.h>

#include <glib.h>
#include <stdint.h>

#define BACKLOG_REFRESH_S 10
#define BACKLOG_FILE_MAX 4096

typedef enum backlog_vault {
        BACKLOG_VAULT_UNKNOWN,     /* not tried yet */
        BACKLOG_VAULT_REACHABLE,   /* the last attempt reached it */
        BACKLOG_VAULT_UNREACHABLE, /* the last attempt failed */
        _BACKLOG_VAULT_MAX,
        _BACKLOG_VAULT_INVALID = -EINVAL,
} backlog_vault;

/* The last failure of a transfer, as a category (the log has the detail). */
typedef enum backlog_error {
        BACKLOG_ERROR_NONE,        /* null: the last attempt succeeded, or none yet */
        BACKLOG_ERROR_UNREACHABLE, /* "vault unreachable": network, server down, 5xx */
        BACKLOG_ERROR_CREDENTIALS, /* "credentials refused" */
        BACKLOG_ERROR_NOT_LOCKING, /* "vault does not enforce retention": no receipt */
        BACKLOG_ERROR_CONFLICT,    /* "vault holds other content" under a key */
        BACKLOG_ERROR_LOCAL,       /* "local file unreadable" */
        BACKLOG_ERROR_OTHER,       /* "transfer failed" */
        BACKLOG_ERROR_STRANGER,    /* "spool holds files the recorder did not make": reported, never sent */
        _BACKLOG_ERROR_MAX,
        _BACKLOG_ERROR_INVALID = -EINVAL,
} backlog_error;

typedef struct backlog_doc {
        uint64_t sessions;        /* sessions not yet confirmed by the vault */
        uint64_t bytes;           /* their sealed bytes */
        int64_t oldest_us;        /* when the oldest of them ended; 0: none (null) */
        int64_t last_transfer_us; /* the last confirmed transfer; 0: never (null) */
        backlog_vault vault;
        int64_t updated_us;
        uint64_t in_flight;             /* bytes of the object being sent now, sent so far; 0: idle */
        backlog_error last_error;       /* what the last failed attempt was; NONE after a success */
        int64_t last_error_us;          /* when; 0: none (null) */
        uint64_t awaiting_verification; /* vaulted, kept until the intake's record exists */
        uint64_t verification_failed;   /* vaulted, kept: the intake's record was refused */
} backlog_doc;

const char *backlog_vault_to_string(backlog_vault v);
backlog_vault backlog_vault_from_string(const char *s);
const char *backlog_error_to_string(backlog_error e); /* NULL for NONE */
backlog_error backlog_error_from_string(const char *s);

gchar *backlog_doc_to_json(const backlog_doc *doc);
int backlog_publish(const char *path, const backlog_doc *doc);
/* Strict and bounded, as room_state_parse: -EBADMSG with a message. */
int backlog_parse(const char *text, size_t len, backlog_doc *ret, gchar **ret_message);
int backlog_read(const char *path, backlog_doc *ret, gchar **ret_message);
