/* The uploader's published backlog (backlog.h): writer and strict reader. */
#include "backlog.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "escape.h"
#include "fsutil.h"
#include "json-bounded.h"
#include "json-write.h"
#include "utc-time.h"
#include "util.h"

#define COUNT_MAX (1ULL << 53) /* exact in a JSON number */

static const char *const vault_table[_BACKLOG_VAULT_MAX] = {
        [BACKLOG_VAULT_UNKNOWN] = "unknown",
        [BACKLOG_VAULT_REACHABLE] = "reachable",
        [BACKLOG_VAULT_UNREACHABLE] = "unreachable",
};

static const char *const error_table[_BACKLOG_ERROR_MAX] = {
        [BACKLOG_ERROR_NONE] = NULL,
        [BACKLOG_ERROR_UNREACHABLE] = "vault unreachable",
        [BACKLOG_ERROR_CREDENTIALS] = "credentials refused",
        [BACKLOG_ERROR_NOT_LOCKING] = "vault does not enforce retention",
        [BACKLOG_ERROR_CONFLICT] = "vault holds other content",
        [BACKLOG_ERROR_LOCAL] = "local file unreadable",
        [BACKLOG_ERROR_OTHER] = "transfer failed",
        [BACKLOG_ERROR_STRANGER] = "spool holds files the recorder did not make",
};

const char *backlog_error_to_string(backlog_error e) {
        return e > 0 && e < _BACKLOG_ERROR_MAX ? error_table[e] : NULL;
}

backlog_error backlog_error_from_string(const char *s) {
        for (int i = 1; s && i < _BACKLOG_ERROR_MAX; i++)
                if (strcmp(s, error_table[i]) == 0)
                        return (backlog_error) i;
        return _BACKLOG_ERROR_INVALID;
}

const char *backlog_vault_to_string(backlog_vault v) {
        return v >= 0 && v < _BACKLOG_VAULT_MAX ? vault_table[v] : NULL;
}

backlog_vault backlog_vault_from_string(const char *s) {
        for (int i = 0; s && i < _BACKLOG_VAULT_MAX; i++)
                if (strcmp(s, vault_table[i]) == 0)
                        return (backlog_vault) i;
        return _BACKLOG_VAULT_INVALID;
}

gchar *backlog_doc_to_json(const backlog_doc *doc) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        const char *vault = backlog_vault_to_string(doc->vault);

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "sessions");
        json_builder_add_int_value(b, (gint64) MIN(doc->sessions, COUNT_MAX));
        json_builder_set_member_name(b, "bytes");
        json_builder_add_int_value(b, (gint64) MIN(doc->bytes, COUNT_MAX));
        json_write_time(b, "oldest", doc->oldest_us);
        json_write_time(b, "last_transfer", doc->last_transfer_us);
        json_builder_set_member_name(b, "vault");
        json_builder_add_string_value(b, vault ? vault : "unknown");
        json_write_time(b, "updated", doc->updated_us);
        json_builder_set_member_name(b, "in_flight");
        json_builder_add_int_value(b, (gint64) MIN(doc->in_flight, COUNT_MAX));
        json_builder_set_member_name(b, "last_error");
        if (backlog_error_to_string(doc->last_error))
                json_builder_add_string_value(b, backlog_error_to_string(doc->last_error));
        else
                json_builder_add_null_value(b);
        json_write_time(b, "last_error_at", doc->last_error ? doc->last_error_us : 0);
        json_builder_set_member_name(b, "awaiting_verification");
        json_builder_add_int_value(b, (gint64) MIN(doc->awaiting_verification, COUNT_MAX));
        json_builder_set_member_name(b, "verification_failed");
        json_builder_add_int_value(b, (gint64) MIN(doc->verification_failed, COUNT_MAX));
        json_builder_end_object(b);
        return json_write_text(b);
}

int backlog_publish(const char *path, const backlog_doc *doc) {
        g_autofree gchar *json = backlog_doc_to_json(doc);
        g_autofree gchar *line = g_strconcat(json, "\n", NULL);

        return fs_write_atomic(path, line, strlen(line), 0644);
}

static int __attribute__((format(printf, 2, 3))) bad(gchar **ret_message, const char *format, ...) {
        va_list ap;

        if (ret_message) {
                va_start(ap, format);
                *ret_message = g_strdup_vprintf(format, ap);
                va_end(ap);
        }
        return -EBADMSG;
}

static int read_count(JsonObject *o, const char *member, uint64_t *ret, gchar **msg) {
        JsonNode *n = json_object_get_member(o, member);
        gint64 v;

        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
                return bad(msg, "\"%s\" is missing or not a whole number", member);
        v = json_node_get_int(n);
        if (v < 0 || (uint64_t) v > COUNT_MAX)
                return bad(msg, "\"%s\" is %" G_GINT64_FORMAT ", not a count", member, v);
        *ret = (uint64_t) v;
        return 0;
}

/* A time, or null when nullable (0). */
static int read_time(JsonObject *o, const char *member, bool nullable, int64_t *ret_us, gchar **msg) {
        JsonNode *n = json_object_get_member(o, member);
        g_autofree gchar *shown = NULL;

        if (n && nullable && JSON_NODE_HOLDS_NULL(n)) {
                *ret_us = 0;
                return 0;
        }
        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
                return bad(msg, "\"%s\" is missing or not a string", member);
        if (utc_time_parse(json_node_get_string(n), ret_us) < 0 || (*ret_us <= 0 && nullable)) {
                shown = escape_text(json_node_get_string(n));
                return bad(msg, "\"%s\" is \"%s\", not a UTC time like 2026-12-01T10:32:00Z", member, shown);
        }
        return 0;
}

/* The optional members (absent: an older uploader). */
static int read_error(JsonObject *o, backlog_doc *doc, gchar **msg) {
        JsonNode *n = json_object_get_member(o, "last_error");
        g_autofree gchar *shown = NULL;
        int r;

        if (json_object_has_member(o, "in_flight") &&
            (r = read_count(o, "in_flight", &doc->in_flight, msg)) < 0)
                return r;
        if (json_object_has_member(o, "awaiting_verification") &&
            (r = read_count(o, "awaiting_verification", &doc->awaiting_verification, msg)) < 0)
                return r;
        if (json_object_has_member(o, "verification_failed") &&
            (r = read_count(o, "verification_failed", &doc->verification_failed, msg)) < 0)
                return r;
        if (json_object_has_member(o, "last_error_at") &&
            (r = read_time(o, "last_error_at", true, &doc->last_error_us, msg)) < 0)
                return r;
        if (!n || JSON_NODE_HOLDS_NULL(n))
                return 0;
        if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
                return bad(msg, "\"last_error\" is not a string or null");
        doc->last_error = backlog_error_from_string(json_node_get_string(n));
        if (doc->last_error < 0) {
                shown = escape_text(json_node_get_string(n));
                return bad(msg, "\"last_error\" is \"%s\", not one of the uploader's failures", shown);
        }
        return 0;
}

int backlog_parse(const char *text, size_t len, backlog_doc *ret, gchar **ret_message) {
        g_autoptr(JsonParser) parser = json_parser_new();
        backlog_doc doc = {0};
        g_autofree gchar *shown = NULL;
        JsonNode *root, *n;
        JsonObject *o;
        int r;

        r = json_load_bounded(parser, text, len, BACKLOG_FILE_MAX, ret_message);
        if (r < 0)
                return r;
        root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                return bad(ret_message, "the backlog is not a JSON object");
        o = json_node_get_object(root);
        if ((r = read_count(o, "sessions", &doc.sessions, ret_message)) < 0 ||
            (r = read_count(o, "bytes", &doc.bytes, ret_message)) < 0 ||
            (r = read_time(o, "oldest", true, &doc.oldest_us, ret_message)) < 0 ||
            (r = read_time(o, "last_transfer", true, &doc.last_transfer_us, ret_message)) < 0 ||
            (r = read_time(o, "updated", false, &doc.updated_us, ret_message)) < 0 ||
            (r = read_error(o, &doc, ret_message)) < 0)
                return r;
        n = json_object_get_member(o, "vault");
        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
                return bad(ret_message, "\"vault\" is missing or not a string");
        doc.vault = backlog_vault_from_string(json_node_get_string(n));
        if (doc.vault < 0) {
                shown = escape_text(json_node_get_string(n));
                return bad(ret_message, "\"vault\" is \"%s\", not reachable, unreachable or unknown", shown);
        }
        *ret = doc;
        return 0;
}

int backlog_read(const char *path, backlog_doc *ret, gchar **ret_message) {
        g_autofree char *data = NULL;
        g_autofree gchar *file = escape_text(path);
        g_autofree gchar *m = NULL;
        size_t len = 0;
        int r;

        r = fs_read_file(path, BACKLOG_FILE_MAX, &data, &len);
        if (r < 0) {
                if (ret_message)
                        *ret_message =
                                g_strdup_printf("cannot read the uploader's backlog %s: %s", file,
                                                r == -EFBIG ? "larger than any backlog" : g_strerror(-r));
                return r;
        }
        r = backlog_parse(data, len, ret, &m);
        if (r < 0 && ret_message)
                *ret_message = g_strdup_printf("backlog %s: %s", file, m);
        return r;
}
