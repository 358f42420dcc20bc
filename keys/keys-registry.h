/* The device registry file police IT keeps: {"devices":[{...}, ...]}. */
#pragma once

#include <json-glib/json-glib.h>
#include <stddef.h>

/* A bigger registry is refused: thousands of devices take well under 1 MiB. */
#define KEYS_REGISTRY_MAX (16u << 20)

/* Checks and parses a registry's text: at most KEYS_REGISTRY_MAX bytes
 * (-EFBIG), no NUL byte, nested at most JSON_DEPTH_MAX levels (-ELOOP), JSON
 * of the shape {"devices":[{"key_id":"…", …}, …]} (-EBADMSG). On failure
 * *ret_message (optional, caller g_frees) says what is wrong. */
int keys_registry_parse(const char *data, size_t len, JsonNode **ret_root, char **ret_message);

/* Loads and checks the registry (an empty one when the file is missing);
 * returns an exit code, having printed the problem. */
int keys_registry_load(const char *path, JsonNode **ret_root);
/* Rewrites it atomically (mode 0644). */
int keys_registry_save(const char *path, JsonNode *root);
/* The device entry with this key id (upper-case hex), or NULL. */
JsonObject *keys_registry_find(JsonArray *devices, const char *key_id);
