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

/* The studio-keys side (exit codes, having printed the problem). */
/* Reads the registry's bytes, bounded; *ret_text NULL when it is missing. */
int keys_registry_read(const char *path, char **ret_text, size_t *ret_len);
/* Parses and checks those bytes (NULL text: an empty registry), including
 * that each entry's key_id is its public_key's. */
int keys_registry_from_text(const char *path, const char *text, size_t len, JsonNode **ret_root);
/* Both: an empty registry when the file is missing. */
int keys_registry_load(const char *path, JsonNode **ret_root);
/* The bytes keys_registry_save writes (g_free); returns 0. */
int keys_registry_to_text(JsonNode *root, char **ret_text, size_t *ret_len);
/* Rewrites it atomically (mode 0644); keys_registry_commit (signature
 * handling, keys-registry-sign.h) is what the commands call. */
int keys_registry_save(const char *path, JsonNode *root);
/* The device entry with this key id (upper-case hex), or NULL. */
JsonObject *keys_registry_find(JsonArray *devices, const char *key_id);
