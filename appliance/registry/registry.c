/* Reading the device registry's text (bounded, then its shape checked) and
 * finding an entry in it: apart from the commands, so that the fuzz target
 * and the unit tests use exactly what studio-keys uses. */
#include "registry.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "json-bounded.h"

/* Every field studio-keys writes is a string where it is present; only
 * key_id is required, so that registries of every release still parse
 * (docs/key-ceremony.md, "Registry schema"). */
static const char *const registry_string_fields[] = {
        "device_id", "key_id", "public_key", "enrolled", "previous_key_id", "revoked", "revoked_reason",
        "replaces",  "reason", "kind",       "name",
};

static const char *const kind_table[_KEYS_KIND_MAX] = {
        [KEYS_KIND_DEVICE] = "device",
        [KEYS_KIND_INTAKE] = "intake",
        [KEYS_KIND_EXAMINER] = "examiner",
};

const char *keys_kind_to_string(keys_kind k) {
        return k >= 0 && k < _KEYS_KIND_MAX ? kind_table[k] : NULL;
}

keys_kind keys_kind_from_string(const char *s) {
        for (int k = 0; s && k < _KEYS_KIND_MAX; k++)
                if (strcmp(s, kind_table[k]) == 0)
                        return (keys_kind) k;
        return _KEYS_KIND_INVALID;
}

keys_kind keys_registry_entry_kind(JsonObject *entry) {
        JsonNode *m = json_object_get_member(entry, "kind");

        if (!m)
                return KEYS_KIND_DEVICE;
        if (!JSON_NODE_HOLDS_VALUE(m) || json_node_get_value_type(m) != G_TYPE_STRING)
                return _KEYS_KIND_INVALID;
        return keys_kind_from_string(json_node_get_string(m));
}

static bool entry_valid(JsonObject *d) {
        if (json_object_get_string_member_with_default(d, "key_id", NULL) == NULL)
                return false;
        for (size_t i = 0; i < G_N_ELEMENTS(registry_string_fields); i++) {
                JsonNode *m = json_object_get_member(d, registry_string_fields[i]);
                if (m && (!JSON_NODE_HOLDS_VALUE(m) || json_node_get_value_type(m) != G_TYPE_STRING))
                        return false;
        }
        return true;
}

static bool registry_valid(JsonNode *root) {
        JsonObject *o;
        JsonNode *devices;

        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                return false;
        o = json_node_get_object(root);
        devices = json_object_get_member(o, "devices");
        if (!devices || !JSON_NODE_HOLDS_ARRAY(devices))
                return false;
        for (guint i = 0; i < json_array_get_length(json_node_get_array(devices)); i++) {
                JsonNode *d = json_array_get_element(json_node_get_array(devices), i);
                if (!JSON_NODE_HOLDS_OBJECT(d) || !entry_valid(json_node_get_object(d)))
                        return false;
        }
        return true;
}

int keys_registry_parse(const char *data, size_t len, JsonNode **ret_root, char **ret_message) {
        g_autoptr(JsonParser) parser = json_parser_new(); /* the commands edit the copy */
        g_autofree char *why = NULL;
        int r;

        /* size, NUL and depth on the raw bytes: json-glib recurses per level */
        r = json_load_bounded(parser, data, len, KEYS_REGISTRY_MAX, &why);
        if (r < 0) {
                if (ret_message)
                        *ret_message = g_steal_pointer(&why);
                return r;
        }
        if (!registry_valid(json_parser_get_root(parser))) {
                if (ret_message)
                        *ret_message = g_strdup("not {\"devices\":[{\"key_id\":\"...\", ...}, ...]} with a "
                                                "string for every field");
                return -EBADMSG;
        }
        *ret_root = json_node_copy(json_parser_get_root(parser));
        return 0;
}

JsonObject *keys_registry_find(JsonArray *devices, const char *key_id) {
        for (guint i = 0; i < json_array_get_length(devices); i++) {
                JsonObject *d = json_array_get_object_element(devices, i);
                const char *k = json_object_get_string_member_with_default(d, "key_id", "");
                if (g_ascii_strcasecmp(k, key_id) == 0)
                        return d;
        }
        return NULL;
}

JsonObject *keys_registry_find_kind(JsonArray *devices, const char *key_id, keys_kind kind) {
        JsonObject *d = keys_registry_find(devices, key_id);

        return d && kind >= 0 && keys_registry_entry_kind(d) == kind ? d : NULL;
}
