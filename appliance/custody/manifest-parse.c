/* Reading manifest.json back, strictly and within bounds. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "custody-internal.h"
#include "json-bounded.h"

#define STR_MAX 4096

typedef struct mctx {
        char err[200];
} mctx;

static int fail(mctx *c, const char *where, const char *name, const char *what) {
        snprintf(c->err, sizeof(c->err), "%s\"%s\" %s", where, name, what);
        return -EBADMSG;
}

static JsonNode *value(JsonObject *o, const char *name, GType t) {
        JsonNode *n = json_object_get_member(o, name);
        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != t)
                return NULL;
        return n;
}

static int get_str(mctx *c, JsonObject *o, const char *where, const char *name, char **ret) {
        JsonNode *n = value(o, name, G_TYPE_STRING);
        if (!n)
                return fail(c, where, name, "must be a string");
        const char *s = json_node_get_string(n);
        if (strlen(s) > STR_MAX)
                return fail(c, where, name, "is too long");
        *ret = g_strdup(s);
        return 0;
}

static int get_hash(mctx *c, JsonObject *o, const char *where, const char *name,
                    char out[SHA256_HEX_LEN + 1]) {
        JsonNode *n = value(o, name, G_TYPE_STRING);
        if (!n || !custody_hex64_valid(json_node_get_string(n)))
                return fail(c, where, name, "must be 64 lower-case hex digits");
        memcpy(out, json_node_get_string(n), SHA256_HEX_LEN + 1);
        return 0;
}

static int get_u64(mctx *c, JsonObject *o, const char *where, const char *name, uint64_t *ret) {
        JsonNode *n = value(o, name, G_TYPE_INT64);
        if (!n || json_node_get_int(n) < 0)
                return fail(c, where, name, "must be a non-negative integer");
        *ret = (uint64_t) json_node_get_int(n);
        return 0;
}

static int get_i64(mctx *c, JsonObject *o, const char *where, const char *name, int64_t *ret) {
        uint64_t v = 0;
        int r = get_u64(c, o, where, name, &v);
        *ret = (int64_t) v;
        return r;
}

static int parse_truncated(mctx *c, JsonObject *o, const char *w, custody_manifest_segment *g) {
        int r = 0;
        r = r ?: get_u64(c, o, w, "verified_bytes", &g->verified_bytes);
        r = r ?: get_u64(c, o, w, "checkpoint_seq", &g->checkpoint_seq);
        r = r ?: get_hash(c, o, w, "checkpoint_sealed_sha256", g->checkpoint_sha256);
        r = r ?: get_i64(c, o, w, "checkpoint_media_ns", &g->checkpoint_media_ns);
        r = r ?: get_u64(c, o, w, "unverifiable_bytes", &g->unverifiable_bytes);
        r = r ?: get_u64(c, o, w, "salvageable_bytes", &g->salvageable_bytes);
        if (r == 0 && (g->verified_bytes > g->sealed_bytes ||
                       g->unverifiable_bytes != g->sealed_bytes - g->verified_bytes))
                return fail(c, w, "verified_bytes", "does not add up with sealed_bytes");
        return r;
}

static int parse_segment(mctx *c, JsonNode *node, size_t i, custody_manifest_segment *g) {
        g_autofree char *where = g_strdup_printf("segments[%zu]: ", i);
        g_autofree char *status = NULL;
        JsonObject *o;
        int r = 0;

        if (!JSON_NODE_HOLDS_OBJECT(node))
                return fail(c, where, "", "must be an object");
        o = json_node_get_object(node);
        r = r ?: get_str(c, o, where, "name", &g->name);
        r = r ?: get_str(c, o, where, "plaintext_name", &g->plaintext_name);
        r = r ?: get_str(c, o, where, "status", &status);
        if (r < 0)
                return r;
        if (!custody_segment_name_valid(g->name))
                return fail(c, where, "name", "is not a segment name (seg-NNNNNN.mkv.age)");
        if (strlen(g->plaintext_name) + 4 != strlen(g->name) ||
            strncmp(g->name, g->plaintext_name, strlen(g->plaintext_name)) != 0)
                return fail(c, where, "plaintext_name", "must be the name without .age");
        if (strcmp(status, "complete") != 0 && strcmp(status, "truncated") != 0)
                return fail(c, where, "status", "must be \"complete\" or \"truncated\"");
        g->truncated = strcmp(status, "truncated") == 0;
        r = r ?: get_hash(c, o, where, "sealed_sha256", g->sealed_sha256);
        r = r ?: get_u64(c, o, where, "sealed_bytes", &g->sealed_bytes);
        r = r ?: get_i64(c, o, where, "media_start_ns", &g->media_start_ns);
        r = r ?: get_i64(c, o, where, "duration_ns", &g->duration_ns);
        r = r ?: get_str(c, o, where, "wall_start", &g->wall_start);
        r = r ?: get_str(c, o, where, "wall_end", &g->wall_end);
        if (r < 0)
                return r;
        if (g->truncated)
                return parse_truncated(c, o, where, g);
        r = r ?: get_hash(c, o, where, "plaintext_sha256", g->plaintext_sha256);
        r = r ?: get_u64(c, o, where, "plaintext_bytes", &g->plaintext_bytes);
        return r;
}

static int parse_segments(mctx *c, JsonObject *root, custody_manifest *m) {
        JsonNode *n = json_object_get_member(root, "segments");
        if (!n || !JSON_NODE_HOLDS_ARRAY(n))
                return fail(c, "", "segments", "must be an array");
        JsonArray *a = json_node_get_array(n);
        guint len = json_array_get_length(a);
        if (len > CUSTODY_SEGMENTS_MAX)
                return fail(c, "", "segments", "has too many entries");
        m->segments = g_new0(custody_manifest_segment, len);
        m->n_segments = len;
        for (guint i = 0; i < len; i++) {
                int r = parse_segment(c, json_array_get_element(a, i), i, &m->segments[i]);
                if (r < 0)
                        return r;
                for (guint k = 0; k < i; k++)
                        if (strcmp(m->segments[k].name, m->segments[i].name) == 0)
                                return fail(c, "", m->segments[i].name, "is listed twice");
        }
        return 0;
}

static int parse_log(mctx *c, JsonObject *root, custody_manifest *m) {
        JsonNode *n = json_object_get_member(root, "custody_log");
        const char *w = "custody_log: ";
        int r = 0;

        if (!n || !JSON_NODE_HOLDS_OBJECT(n))
                return fail(c, "", "custody_log", "must be an object");
        JsonObject *o = json_node_get_object(n);
        r = r ?: get_str(c, o, w, "name", &m->log_name);
        r = r ?: get_u64(c, o, w, "entries", &m->log_entries);
        r = r ?: get_u64(c, o, w, "bytes", &m->log_bytes);
        r = r ?: get_hash(c, o, w, "sha256", m->log_sha256);
        r = r ?: get_hash(c, o, w, "first_prev", m->log_first_prev);
        r = r ?: get_hash(c, o, w, "last_line_sha256", m->log_last_line_sha256);
        if (r == 0 && strcmp(m->log_name, "custody.jsonl") != 0)
                return fail(c, w, "name", "must be custody.jsonl");
        return r;
}

static int parse_root(mctx *c, JsonObject *o, custody_manifest *m) {
        int r = 0;

        r = r ?: get_str(c, o, "", "format", &m->format);
        if (r == 0 && strcmp(m->format, CUSTODY_MANIFEST_FORMAT) != 0 &&
            strcmp(m->format, CUSTODY_MANIFEST_FORMAT_V2) != 0 &&
            strcmp(m->format, CUSTODY_MANIFEST_FORMAT_V1) != 0)
                return fail(c, "", "format",
                            "is not " CUSTODY_MANIFEST_FORMAT ", " CUSTODY_MANIFEST_FORMAT_V2
                            " or " CUSTODY_MANIFEST_FORMAT_V1);
        r = r ?: get_str(c, o, "", "session", &m->session);
        r = r ?: get_str(c, o, "", "device_id", &m->device_id);
        r = r ?: get_str(c, o, "", "device_key_id", &m->device_key_id);
        r = r ?: get_str(c, o, "", "device_public_key", &m->device_public_key);
        r = r ?: get_str(c, o, "", "officer", &m->officer);
        r = r ?: get_str(c, o, "", "room", &m->room);
        r = r ?: get_str(c, o, "", "software_version", &m->software_version);
        r = r ?: get_str(c, o, "", "profile", &m->profile);
        r = r ?: get_str(c, o, "", "profile_sha256", &m->profile_sha256);
        r = r ?: get_str(c, o, "", "clock_sync", &m->clock_sync);
        r = r ?: get_str(c, o, "", "started_utc", &m->started_utc);
        r = r ?: get_str(c, o, "", "ended_utc", &m->ended_utc);
        r = r ?: get_str(c, o, "", "stop_reason", &m->stop_reason);
        r = r ?: parse_segments(c, o, m);
        r = r ?: parse_log(c, o, m);
        if (r == 0 && custody_manifest_parse_tracks(o, m) < 0)
                return fail(
                        c, "", "tracks",
                        "must list 1 to 16 tracks, each with a role, label, device, channel and required");
        return r;
}

int custody_manifest_parse(const char *data, size_t len, custody_manifest **ret, char **ret_error) {
        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        g_autofree char *why = NULL;
        mctx c = {.err = ""};
        custody_manifest *m;
        int r;

        /* size, NUL and depth on the raw bytes: json-glib recurses per level */
        if (json_load_bounded(parser, data, len, CUSTODY_MANIFEST_MAX, &why) < 0) {
                snprintf(c.err, sizeof(c.err), "%s", why);
                r = -EBADMSG; /* like every other fault of the text */
                goto fail;
        }
        JsonNode *root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
                snprintf(c.err, sizeof(c.err), "not a JSON object");
                r = -EBADMSG;
                goto fail;
        }
        m = g_new0(custody_manifest, 1);
        r = parse_root(&c, json_node_get_object(root), m);
        if (r < 0) {
                custody_manifest_free(m);
                goto fail;
        }
        *ret = m;
        return 0;
fail:
        if (ret_error)
                *ret_error = g_strdup(c.err);
        return r;
}

custody_manifest *custody_manifest_free(custody_manifest *m) {
        if (!m)
                return NULL;
        for (size_t i = 0; i < m->n_segments; i++) {
                custody_manifest_segment *g = &m->segments[i];
                g_free(g->name), g_free(g->plaintext_name), g_free(g->wall_start), g_free(g->wall_end);
        }
        g_free(m->segments);
        custody_manifest_free_tracks(m);
        char **strs[] = {&m->format,         &m->session,           &m->device_id,
                         &m->device_key_id,  &m->device_public_key, &m->officer,
                         &m->room,           &m->software_version,  &m->profile,
                         &m->profile_sha256, &m->clock_sync,        &m->started_utc,
                         &m->ended_utc,      &m->stop_reason,       &m->log_name};
        for (size_t i = 0; i < G_N_ELEMENTS(strs); i++)
                g_free(*strs[i]);
        g_free(m);
        return NULL;
}
