/* The manifest's "tracks" (studio-session/3), read strictly: the same
 * members session-start's schema allows (schema.c), within bounds. */
#include <errno.h>
#include <string.h>

#include "custody-internal.h"

#define TRACK_STR_MAX 4096

static const char *string_of(JsonObject *o, const char *name) {
        JsonNode *n = json_object_get_member(o, name);

        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING ||
            strlen(json_node_get_string(n)) > TRACK_STR_MAX)
                return NULL;
        return json_node_get_string(n);
}

static int parse_track(JsonNode *n, custody_manifest_track *t) {
        JsonObject *o = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
        JsonNode *channel = o ? json_object_get_member(o, "channel") : NULL;
        JsonNode *required = o ? json_object_get_member(o, "required") : NULL;
        const char *language = o ? string_of(o, "language") : NULL;

        if (!o || !string_of(o, "role") || !string_of(o, "label") || !string_of(o, "device") || !channel ||
            !JSON_NODE_HOLDS_VALUE(channel) || json_node_get_value_type(channel) != G_TYPE_INT64 ||
            json_node_get_int(channel) < 0 || !required || !JSON_NODE_HOLDS_VALUE(required) ||
            json_node_get_value_type(required) != G_TYPE_BOOLEAN ||
            (json_object_has_member(o, "language") && !language))
                return -EBADMSG;
        t->role = g_strdup(string_of(o, "role"));
        t->label = g_strdup(string_of(o, "label"));
        t->device = g_strdup(string_of(o, "device"));
        t->language = g_strdup(language);
        t->channel = (uint64_t) json_node_get_int(channel);
        t->required = json_node_get_boolean(required);
        return 0;
}

int custody_manifest_parse_tracks(JsonObject *root, custody_manifest *m) {
        JsonNode *n = json_object_get_member(root, "tracks");
        JsonArray *a = n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
        guint len = a ? json_array_get_length(a) : 0;

        if (!n)
                return strcmp(m->format, CUSTODY_MANIFEST_FORMAT) == 0 ? -EBADMSG : 0;
        if (len == 0 || len > CUSTODY_TRACKS_MAX)
                return -EBADMSG;
        m->tracks = g_new0(custody_manifest_track, len);
        for (guint i = 0; i < len; i++, m->n_tracks++)
                if (parse_track(json_array_get_element(a, i), &m->tracks[i]) < 0)
                        return -EBADMSG;
        return 0;
}

void custody_manifest_free_tracks(custody_manifest *m) {
        for (size_t i = 0; i < m->n_tracks; i++) {
                custody_manifest_track *t = &m->tracks[i];
                g_free(t->role), g_free(t->label), g_free(t->device), g_free(t->language);
        }
        g_clear_pointer(&m->tracks, g_free);
        m->n_tracks = 0;
}
