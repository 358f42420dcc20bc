/* manifest.json must say exactly what the custody log implies: the two
 * documents are compared member by member (officer, room, device and its
 * key, software, profile, cameras, microphones, clock sync, recipients,
 * times, stop reason, every segment, every mark, break and fault), so a
 * field the manifest repeats can never disagree with the signed log
 * unnoticed, even when the manifest's own signature is good. */
#include <errno.h>
#include <string.h>

#include "json-bounded.h"
#include "verify.h"

#define DIFFS_MAX 10 /* differences named one by one */

typedef struct diff_ctx {
        verify_ctx *c;
        unsigned n;
} diff_ctx;

/* A value for the report: strings as they are, the rest as compact JSON,
 * cut to a readable length. */
static char *shown(JsonNode *n) {
        g_autofree char *text = NULL;

        if (!n)
                return g_strdup("(absent)");
        if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING)
                text = g_strdup_printf("\"%s\"", json_node_get_string(n));
        else
                text = json_to_string(n, FALSE);
        if (g_utf8_strlen(text, -1) > 160) {
                char *end = g_utf8_offset_to_pointer(text, 160);
                *end = '\0';
                return g_strconcat(text, "…", NULL);
        }
        return g_steal_pointer(&text);
}

/* A disagreement on the log's own hash, size or length is the log's fault
 * (the manifest is signed), so it names custody.jsonl. */
static void differ(diff_ctx *d, const char *path, JsonNode *stored, JsonNode *implied) {
        g_autofree char *a = shown(stored), *b = shown(implied);

        if (++d->n > DIFFS_MAX)
                return;
        if (g_str_has_prefix(path, "custody_log"))
                verify_add_hash(
                        d->c, VERIFY_TAMPERED, "custody.jsonl", path, a, b,
                        "custody.jsonl is not the custody log the signed manifest describes (%s differs)",
                        path);
        else
                verify_add(
                        d->c, VERIFY_TAMPERED, "manifest.json", path,
                        "manifest.json and the custody log disagree on %s: the manifest says %s, the log %s",
                        path, a, b);
}

static bool same_scalar(JsonNode *a, JsonNode *b) {
        if (JSON_NODE_TYPE(a) != JSON_NODE_TYPE(b))
                return false;
        if (JSON_NODE_HOLDS_NULL(a))
                return true;
        if (json_node_get_value_type(a) != json_node_get_value_type(b))
                return false;
        switch (json_node_get_value_type(a)) {
        case G_TYPE_STRING:
                return strcmp(json_node_get_string(a), json_node_get_string(b)) == 0;
        case G_TYPE_INT64:
                return json_node_get_int(a) == json_node_get_int(b);
        case G_TYPE_BOOLEAN:
                return json_node_get_boolean(a) == json_node_get_boolean(b);
        default:
                return json_node_get_double(a) == json_node_get_double(b);
        }
}

static void diff_node(diff_ctx *d, const char *path, JsonNode *stored, JsonNode *implied);

static void diff_object(diff_ctx *d, const char *path, JsonObject *stored, JsonObject *implied) {
        JsonObjectIter it;
        const char *name;
        JsonNode *node;

        json_object_iter_init_ordered(&it, implied);
        while (json_object_iter_next_ordered(&it, &name, &node)) {
                g_autofree char *sub = *path ? g_strdup_printf("%s.%s", path, name) : g_strdup(name);
                diff_node(d, sub, json_object_get_member(stored, name), node);
        }
        json_object_iter_init_ordered(&it, stored);
        while (json_object_iter_next_ordered(&it, &name, &node))
                if (!json_object_has_member(implied, name)) {
                        g_autofree char *sub = *path ? g_strdup_printf("%s.%s", path, name) : g_strdup(name);
                        differ(d, sub, node, NULL);
                }
}

static void diff_array(diff_ctx *d, const char *path, JsonArray *stored, JsonArray *implied) {
        guint ns = json_array_get_length(stored), ni = json_array_get_length(implied);

        for (guint i = 0; i < MAX(ns, ni) && d->n <= DIFFS_MAX; i++) {
                g_autofree char *sub = g_strdup_printf("%s[%u]", path, i);
                diff_node(d, sub, i < ns ? json_array_get_element(stored, i) : NULL,
                          i < ni ? json_array_get_element(implied, i) : NULL);
        }
}

static void diff_node(diff_ctx *d, const char *path, JsonNode *stored, JsonNode *implied) {
        if (d->n > DIFFS_MAX)
                return;
        if (!stored || !implied || JSON_NODE_TYPE(stored) != JSON_NODE_TYPE(implied))
                differ(d, path, stored, implied);
        else if (JSON_NODE_HOLDS_OBJECT(implied))
                diff_object(d, path, json_node_get_object(stored), json_node_get_object(implied));
        else if (JSON_NODE_HOLDS_ARRAY(implied))
                diff_array(d, path, json_node_get_array(stored), json_node_get_array(implied));
        else if (!same_scalar(stored, implied))
                differ(d, path, stored, implied);
}

static void no_implied_manifest(verify_ctx *c) {
        if (c->log.implied_error == -E2BIG)
                verify_add(c, VERIFY_TAMPERED, "custody.jsonl", NULL,
                           "the custody log holds more segments or events than a manifest can list (%d "
                           "segments, %d events), so no recorder wrote it",
                           CUSTODY_SEGMENTS_MAX, CUSTODY_EVENTS_MAX);
        else if (c->log.implied_error == -EKEYREJECTED)
                verify_add(c, VERIFY_TAMPERED, "manifest.json", "device_public_key",
                           "the manifest's device_public_key is not a minisign public key");
        else
                verify_add(c, VERIFY_TAMPERED, "custody.jsonl", NULL,
                           "the custody log does not describe a closed session");
}

void verify_check_manifest_vs_log(verify_ctx *c) {
        g_autoptr(JsonParser) ps = json_parser_new_immutable(), pi = json_parser_new_immutable();
        diff_ctx d = {.c = c};

        if (!c->m || !c->manifest_text || !c->log.read)
                return;
        if (!c->log.implied) {
                no_implied_manifest(c);
                return;
        }
        /* both texts have parsed before: the manifest bounded, the implied one ours */
        if (json_load_bounded(ps, c->manifest_text, strlen(c->manifest_text), CUSTODY_MANIFEST_MAX, NULL) <
                    0 ||
            !json_parser_load_from_data(pi, c->log.implied, -1, NULL))
                return;
        JsonObject *so = json_node_get_object(json_parser_get_root(ps));
        JsonObject *io = json_node_get_object(json_parser_get_root(pi));
        /* the log's own hash first: when it differs, other fields differ because of it */
        diff_node(&d, "custody_log", json_object_get_member(so, "custody_log"),
                  json_object_get_member(io, "custody_log"));
        json_object_remove_member(so, "custody_log");
        json_object_remove_member(io, "custody_log");
        diff_object(&d, "", so, io);
        if (d.n > DIFFS_MAX)
                verify_add(c, VERIFY_TAMPERED, "manifest.json", NULL,
                           "%u more differences between manifest.json and the custody log are not listed",
                           d.n - DIFFS_MAX);
}
