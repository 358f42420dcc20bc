/* libFuzzer: the device registry parser studio-keys uses. What it accepts
 * has the documented shape, and it never accepts a text nested deeper than
 * JSON_DEPTH_MAX (json-glib recurses per level: such a text must be refused
 * before it reaches the parser, so a crash here is a bug, not an artefact). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "json-bounded.h"
#include "keys-registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
                if (!json_object_get_string_member_with_default(json_array_get_object_element(devices, i),
                                                                "key_id", NULL))
                        abort();
        (void) keys_registry_find(devices, "0000000000000000");
        json_node_unref(root);
        return 0;
}
