/* libFuzzer: the key registry parser studio-keys and studio-verify use.
 * What it accepts has the documented shape, and it never accepts a text
 * nested deeper than JSON_DEPTH_MAX (json-glib recurses per level: such a
 * text must be refused before it reaches the parser, so a crash here is a
 * bug, not an artefact). Kinds: an entry without "kind" is a device's, and
 * a lookup by kind never returns an entry of another (or unknown) kind. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json-bounded.h"
#include "registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_entry(JsonArray *devices, JsonObject *d) {
        const char *key_id = json_object_get_string_member_with_default(d, "key_id", NULL);
        const char *kind = json_object_get_string_member_with_default(d, "kind", NULL);
        keys_kind k = keys_registry_entry_kind(d);

        if (!key_id)
                abort();
        if (json_object_has_member(d, "kind") && !kind)
                abort(); /* accepted a kind that is not a string */
        if (!kind && k != KEYS_KIND_DEVICE)
                abort(); /* an entry without a kind is a device's */
        if (kind && k != keys_kind_from_string(kind))
                abort();
        if (k >= 0 && strcmp(keys_kind_to_string(k), kind ? kind : "device") != 0)
                abort();
        for (int want = 0; want < _KEYS_KIND_MAX; want++) {
                JsonObject *f = keys_registry_find_kind(devices, key_id, (keys_kind) want);
                if (f && keys_registry_entry_kind(f) != (keys_kind) want)
                        abort(); /* trusted a key for another kind than its own */
                if (f == d && k != (keys_kind) want)
                        abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        JsonNode *root = NULL;
        char *why = NULL;

        if (keys_registry_parse((const char *) data, size, &root, &why) < 0) {
                if (!why || root)
                        abort();
                g_free(why);
                return 0;
        }
        if (json_depth_check((const char *) data, size, JSON_DEPTH_MAX) < 0)
                abort(); /* accepted a text nested too deep */
        JsonArray *devices = json_object_get_array_member(json_node_get_object(root), "devices");
        for (guint i = 0; i < json_array_get_length(devices); i++)
                check_entry(devices, json_array_get_object_element(devices, i));
        (void) keys_registry_find(devices, "0000000000000000");
        json_node_unref(root);
        return 0;
}
