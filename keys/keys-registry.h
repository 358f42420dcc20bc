/* The key registry file as the studio-keys commands read and write it; its
 * parser and lookups are appliance/registry/registry.h, included here. */
#pragma once

#include <stddef.h>

#include "registry.h"

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
