/* The device registry file police IT keeps: {"devices":[{...}, ...]}. */
#pragma once

#include <json-glib/json-glib.h>

/* Loads and checks the registry (an empty one when the file is missing);
 * returns an exit code, having printed the problem. */
int keys_registry_load(const char *path, JsonNode **ret_root);
/* Rewrites it atomically (mode 0644). */
int keys_registry_save(const char *path, JsonNode *root);
/* The device entry with this key id (upper-case hex), or NULL. */
JsonObject *keys_registry_find(JsonArray *devices, const char *key_id);
