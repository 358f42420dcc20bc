/* The uploader's published backlog: what is still waiting for the vault,
 * for the status page ("last transfer") and the recorder's health monitor.
 * Like the room state it is one JSON object, written atomically (mode 0644)
 * and rewritten at least every BACKLOG_REFRESH_S seconds:
 *   {"sessions":2,"bytes":1073741824,"oldest":"2026-12-01T09:00:00Z",
 *    "last_transfer":"2026-12-01T10:05:00Z","vault":"reachable",
 *    "updated":"2026-12-01T10:40:05Z"}
 * It holds counts and times only: never a session identifier, a file name
 * or the vault's address. */
#pragma once

#include <glib.h>
#include <stdint.h>

#define BACKLOG_REFRESH_S 10
#define BACKLOG_FILE_MAX 4096

typedef enum backlog_vault {
        BACKLOG_VAULT_UNKNOWN,     /* not tried yet */
        BACKLOG_VAULT_REACHABLE,   /* the last attempt reached it */
        BACKLOG_VAULT_UNREACHABLE, /* the last attempt failed */
        _BACKLOG_VAULT_MAX,
        _BACKLOG_VAULT_INVALID = -22,
} backlog_vault;

typedef struct backlog_doc {
        uint64_t sessions;        /* sessions not yet confirmed by the vault */
        uint64_t bytes;           /* their sealed bytes */
        int64_t oldest_us;        /* when the oldest of them ended; 0: none (null) */
        int64_t last_transfer_us; /* the last confirmed transfer; 0: never (null) */
        backlog_vault vault;
        int64_t updated_us;
} backlog_doc;

const char *backlog_vault_to_string(backlog_vault v);
backlog_vault backlog_vault_from_string(const char *s);

gchar *backlog_doc_to_json(const backlog_doc *doc);
int backlog_publish(const char *path, const backlog_doc *doc);
/* Strict and bounded, as room_state_parse: -EBADMSG with a message. */
int backlog_parse(const char *text, size_t len, backlog_doc *ret, gchar **ret_message);
int backlog_read(const char *path, backlog_doc *ret, gchar **ret_message);
